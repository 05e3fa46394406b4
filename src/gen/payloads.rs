//! Application payloads for fixtures and tests: a TLS ClientHello and ServerHello, a DNS
//! message over TCP, as the protocols lay them out.

/// A ClientHello as browsers send it: SNI, ALPN h2 and http/1.1, supported_versions.
pub fn client_hello(sni: &str) -> Vec<u8> {
    let mut ext = Vec::new();
    let name = sni.as_bytes();
    ext.extend([0, 0]);
    ext.extend(((name.len() + 5) as u16).to_be_bytes());
    ext.extend(((name.len() + 3) as u16).to_be_bytes());
    ext.push(0);
    ext.extend((name.len() as u16).to_be_bytes());
    ext.extend(name);
    ext.extend([0, 16, 0, 14, 0, 12, 2, b'h', b'2', 8]);
    ext.extend(b"http/1.1");
    ext.extend([0, 43, 0, 5, 4, 3, 4, 3, 3]);
    let mut hello = vec![3, 3];
    hello.extend([7; 32]);
    hello.push(0); // session id
    hello.extend([0, 4, 0x13, 0x01, 0x13, 0x02]);
    hello.extend([1, 0]);
    hello.extend((ext.len() as u16).to_be_bytes());
    hello.extend(ext);
    record(1, &hello)
}

pub fn server_hello(version: Option<u16>) -> Vec<u8> {
    let mut ext = Vec::new();
    if let Some(v) = version {
        ext.extend([0, 43, 0, 2]);
        ext.extend(v.to_be_bytes());
    }
    let mut hello = vec![3, 3];
    hello.extend([9; 32]);
    hello.extend([0, 0x13, 0x01, 0]);
    hello.extend((ext.len() as u16).to_be_bytes());
    hello.extend(ext);
    record(2, &hello)
}

pub fn record(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut hs = vec![kind, 0];
    hs.extend((body.len() as u16).to_be_bytes());
    hs.extend(body);
    let mut rec = vec![0x16, 3, 1];
    rec.extend((hs.len() as u16).to_be_bytes());
    rec.extend(hs);
    rec
}

pub fn dns_query(name: &str, response: bool) -> Vec<u8> {
    let mut m = vec![0x12, 0x34, if response { 0x81 } else { 0x01 }, 0, 0, 1];
    m.extend([0, u8::from(response), 0, 0, 0, 0]);
    for part in name.split('.') {
        m.push(part.len() as u8);
        m.extend(part.as_bytes());
    }
    m.extend([0, 0, 1, 0, 1]);
    let mut out = (m.len() as u16).to_be_bytes().to_vec();
    out.extend(m);
    out
}
