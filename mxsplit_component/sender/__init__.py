"""``mxsplit sender``: the sender's view. Will Exchange Online defer this sender over IPv6
(``450 4.7.25`` no PTR, ``450 4.7.26`` no SPF/DKIM pass), and would the MX split help?

:mod:`.evidence` asks DNS (PTR, forward confirmation, SPF through pyspf routed to our
resolver settings); :mod:`.verdict` applies Microsoft's rule offline; :mod:`.command` parses
flags and renders text.
"""
