"""Stand-ins and helpers the tests import: servers that misbehave on purpose (DNS faults,
Graph, SMTP), the stand-in Pulumi engine, the README's scenarios, and the seed zones."""
