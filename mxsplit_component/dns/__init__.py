"""mxsplit's DNS layer: wire format, transport, nameservers and what answers mean.

Used by ``check``, ``hosts --published`` and ``sender`` alike; it imports nothing from them.

- :mod:`.wire`: lean queries and replies for the hot path;
- :mod:`.transport`: :class:`DnsClient`, many lookups at once over one UDP socket per server;
- :mod:`.nameservers`: ``IP[:PORT]`` parsing and the system resolver;
- :mod:`.options`: :class:`DnsOptions` and the client they build;
- :mod:`.observe`: owner and CNAME-chain filtering, record sets, DNS64.
"""
