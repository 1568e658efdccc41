"""tunnel.py — what the test proxies share (connect-proxy.py,
socks5-proxy.py): copying bytes both ways between a client and the
upstream connection until either side closes or 10 s pass quietly."""
import select


def pipe(client, upstream):
    socks = [client, upstream]
    while True:
        ready, _, _ = select.select(socks, [], [], 10)
        if not ready:
            break
        for s in ready:
            data = s.recv(65536)
            if not data:
                upstream.close()
                return
            (upstream if s is client else client).sendall(data)
    upstream.close()
