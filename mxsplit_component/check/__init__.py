"""Live checks: query published DNS with dnspython, evaluate findings, simulate senders. No pulumi."""
