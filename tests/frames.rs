//! Reading frame N again for the layers view: from pcap and pcapng files, through the sparse
//! index, the same bytes as reading the file from its start gives; and the layers of the
//! fixtures' frames.

use std::cell::Cell;
use std::io::{Read, Seek, SeekFrom};
use std::rc::Rc;

use synack::capture::frames::{FrameError, FrameSource, Indexed, INDEX_EVERY};
use synack::capture::FileReader;
use synack::decode::layers::{dissect, Frame, FrameMeta, Layer, LinkHeader, NetHeader, TcpOpt};
use synack::decode::{LinkType, Timestamp};
use synack::gen::write::{self, Frame as GenFrame};
use synack::gen::Link;

mod common;

/// Every frame of `path` read from the start, as (time, link type, wire length, bytes).
fn all_frames(path: &str) -> Vec<(Timestamp, LinkType, u32, Vec<u8>)> {
    let mut r = FileReader::open(path).unwrap();
    let mut out = Vec::new();
    while let Some(p) = r.next_packet().unwrap() {
        out.push((p.ts, p.linktype, p.orig_len, p.data.to_vec()));
    }
    out
}

fn same(f: &Frame, want: &(Timestamp, LinkType, u32, Vec<u8>), n: u64) {
    assert_eq!(f.meta.number, n);
    assert_eq!(
        (f.meta.ts, f.meta.linktype, f.meta.orig_len, &f.data),
        (want.0, want.1, want.2, &want.3),
        "frame {n}"
    );
}

/// Each frame of each fixture, in a scrambled order, is what a reading from the start gives.
#[test]
fn every_fixture_frame_is_read_again_by_number() {
    let names = [
        "demo.pcap",
        "multi-link.pcapng",
        "far-future.pcapng",
        "big-endian.pcap",
        "nanosecond.pcap",
        "snaplen-64.pcap",
        "tunnels.pcap",
        "sll2.pcap",
    ];
    for name in names {
        let path = common::fixture(name);
        let want = all_frames(&path);
        let mut src = FrameSource::file(&path);
        let n = want.len() as u64;
        let order: Vec<u64> = (1..=n).rev().chain((1..=n).step_by(3)).collect();
        for i in order {
            let f = src
                .frame(i)
                .unwrap_or_else(|e| panic!("{name} frame {i}: {e:?}"));
            same(&f, &want[i as usize - 1], i);
        }
        assert!(
            matches!(src.frame(n + 1), Err(FrameError::Failed(m)) if m.contains(&format!("has {n} frames"))),
            "{name}"
        );
    }
}

#[test]
fn a_pcapng_frame_names_its_interface() {
    let mut src = FrameSource::file(&common::fixture("multi-link.pcapng"));
    let f = src.frame(1).unwrap();
    assert!(f.meta.interface.is_some(), "{:?}", f.meta);
}

#[test]
fn standard_input_cannot_be_read_again_and_says_so() {
    let mut src = FrameSource::file("-");
    assert!(
        matches!(src.frame(1), Err(FrameError::Unavailable(m)) if m.contains("standard input"))
    );
}

#[test]
fn a_gzip_file_is_read_again_from_its_start() {
    use std::io::Write;
    let path = common::fixture("demo.pcap");
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("demo.pcap.gz");
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    e.write_all(&std::fs::read(&path).unwrap()).unwrap();
    e.finish().unwrap();
    let want = all_frames(&path);
    let mut src = FrameSource::file(gz.to_str().unwrap());
    assert!(matches!(src, FrameSource::Sequential { .. }));
    for i in [5u64, 9, 2, 30] {
        same(&src.frame(i).unwrap(), &want[i as usize - 1], i);
    }
}

/// A file that counts the bytes read from it.
struct Counting {
    f: std::fs::File,
    read: Rc<Cell<u64>>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.f.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

impl Seek for Counting {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.f.seek(pos)
    }
}

fn generated(n: usize) -> Vec<GenFrame> {
    (0..n)
        .map(|i| {
            let len = 60 + (i * 7) % 900;
            GenFrame {
                ts: Timestamp(1_700_000_000_000_000_000 + i as i64 * 1_000_000),
                data: (0..len).map(|b| (b + i) as u8).collect(),
                orig_len: len as u32,
            }
        })
        .collect()
}

/// On a capture of 10,000 frames, frame N is found through the index: once the file has been
/// walked, opening a frame reads at most one stretch of INDEX_EVERY frames, not the file.
#[test]
fn the_sparse_index_finds_frame_n_of_a_big_capture_without_reading_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let frames = generated(10_000);
    let link = Link::Ethernet { vlans: vec![] };
    let pcap = dir.path().join("big.pcap");
    write::write_pcap(&pcap, &link, &frames, false).unwrap();
    let ng = dir.path().join("big.pcapng");
    let tagged: Vec<(usize, GenFrame)> = frames.iter().cloned().map(|f| (0, f)).collect();
    write::write_pcapng(&ng, &[(link.clone(), true)], &tagged).unwrap();
    for path in [&pcap, &ng] {
        let size = std::fs::metadata(path).unwrap().len();
        let read = Rc::new(Cell::new(0));
        let file = Counting {
            f: std::fs::File::open(path).unwrap(),
            read: read.clone(),
        };
        let mut idx = Indexed::new(file).unwrap();
        let last = idx.frame(10_000).unwrap();
        assert_eq!(last.data, frames[9_999].data);
        assert_eq!(idx.indexed(), 10_000);
        assert_eq!(idx.marks(), (10_000 / INDEX_EVERY + 1) as usize);
        // Every later look-up: one stretch between marks at most (frames are under 1 KB,
        // and the reader's buffer adds 64 KiB), far from the whole file.
        for n in [7_777u64, 1, 5_000, 9_999, 2_048, 2_049, 3] {
            read.set(0);
            let f = idx.frame(n).unwrap();
            assert_eq!(f.data, frames[n as usize - 1].data, "{path:?} frame {n}");
            assert_eq!(f.meta.ts, frames[n as usize - 1].ts);
            let bound = INDEX_EVERY * (1024 + 32) + (1 << 16);
            assert!(
                read.get() <= bound && read.get() < size / 4,
                "{path:?} frame {n}: read {} of {size}",
                read.get()
            );
        }
    }
}

fn frame_of(name: &str, n: u64) -> Frame {
    FrameSource::file(&common::fixture(name)).frame(n).unwrap()
}

/// The first frame of `name` that reached TCP, with its layers.
fn first_tcp(name: &str) -> (u64, synack::decode::layers::Layers) {
    let mut src = FrameSource::file(&common::fixture(name));
    for n in 1.. {
        let l = dissect(&src.frame(n).unwrap());
        if l.tcp.is_some() {
            return (n, l);
        }
    }
    unreachable!()
}

#[test]
fn the_demo_syn_has_its_options_and_ethernet_header() {
    let l = dissect(&frame_of("demo.pcap", 1));
    assert!(
        matches!(
            l.link,
            Some(LinkHeader::Ethernet {
                ethertype: 0x0800,
                ..
            })
        ),
        "{:?}",
        l.link
    );
    let t = l.tcp.unwrap();
    assert_eq!(t.flags & 0x1ff, 0x002, "a SYN");
    assert!(
        t.options.iter().any(|o| matches!(o, TcpOpt::Mss(_))),
        "{:?}",
        t.options
    );
    assert_eq!(l.stopped, None);
}

#[test]
fn vlan_tags_are_listed_outermost_first() {
    let (_, l) = first_tcp("vlan-qinq.pcap");
    let Some(LinkHeader::Ethernet { vlans, .. }) = &l.link else {
        panic!("{:?}", l.link)
    };
    assert!(vlans.len() >= 2, "{vlans:?}");
    assert_eq!(l.stopped, None);
}

#[test]
fn ipv6_extension_headers_are_listed() {
    let mut found = false;
    let mut src = FrameSource::file(&common::fixture("ipv6-ext.pcap"));
    for n in 1..=20 {
        let Ok(f) = src.frame(n) else { break };
        let l = dissect(&f);
        if let Some(NetHeader::Ipv6(v6)) = l.net.first() {
            if !v6.ext.is_empty() && l.tcp.is_some() {
                found = true;
            }
        }
    }
    assert!(found);
}

#[test]
fn sll2_null_and_raw_link_headers_are_read() {
    let (_, l) = first_tcp("sll2.pcap");
    assert!(
        matches!(
            l.link,
            Some(LinkHeader::Sll2 {
                protocol: 0x0800 | 0x86dd,
                ..
            })
        ),
        "{:?}",
        l.link
    );
    let (_, l) = first_tcp("null-le.pcap");
    assert!(
        matches!(
            l.link,
            Some(LinkHeader::Null {
                family: 2,
                little_endian: true
            })
        ),
        "{:?}",
        l.link
    );
    let (_, l) = first_tcp("raw-ip.pcap");
    assert_eq!(l.link, Some(LinkHeader::Raw));
    let (_, l) = first_tcp("sll.pcap");
    assert!(
        matches!(l.link, Some(LinkHeader::Sll { .. })),
        "{:?}",
        l.link
    );
}

#[test]
fn every_tunnel_of_the_fixture_is_shown_with_the_inner_segment() {
    let mut src = FrameSource::file(&common::fixture("tunnels.pcap"));
    let mut kinds = std::collections::BTreeSet::new();
    let mut n = 1;
    while let Ok(f) = src.frame(n) {
        let l = dissect(&f);
        for h in &l.net {
            if let NetHeader::Tunnel { kind, .. } = h {
                kinds.insert(kind.name());
            }
        }
        if l.net.iter().any(|h| matches!(h, NetHeader::Tunnel { .. })) && l.stopped.is_none() {
            assert!(l.tcp.is_some(), "frame {n}");
            // Inner IP after the tunnel.
            let ips = l
                .net
                .iter()
                .filter(|h| matches!(h, NetHeader::Ipv4(_) | NetHeader::Ipv6(_)))
                .count();
            assert!(ips >= 2, "frame {n}: {:?}", l.net);
        }
        n += 1;
    }
    for k in ["ip", "gre", "vxlan", "geneve", "teredo", "gtpv1"] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
}

#[test]
fn a_snaplen_cut_frame_shows_what_was_captured_and_where_it_stopped() {
    let mut src = FrameSource::file(&common::fixture("snaplen-64.pcap"));
    let mut cut = 0;
    let mut n = 1;
    while let Ok(f) = src.frame(n) {
        let l = dissect(&f);
        assert_eq!(l.captured, f.data.len());
        assert!(f.data.len() <= 64);
        if f.meta.orig_len as usize > f.data.len() {
            let s = l.stopped.as_ref().unwrap_or_else(|| panic!("frame {n}"));
            assert!(s.offset <= f.data.len());
            if s.layer == Layer::Application {
                let p = l.payload.as_ref().unwrap();
                assert!(p.captured < p.len);
            }
            cut += 1;
        }
        n += 1;
    }
    assert!(cut > 0);
}

#[test]
fn malformed_frames_are_dissected_as_far_as_they_go() {
    let mut src = FrameSource::file(&common::fixture("malformed.pcap"));
    let mut stopped = 0;
    let mut n = 1;
    while let Ok(f) = src.frame(n) {
        let l = dissect(&f);
        if let Some(s) = &l.stopped {
            assert!(s.offset <= f.data.len(), "frame {n}: {s:?}");
            assert!(!s.why.is_empty());
            stopped += 1;
        }
        n += 1;
    }
    assert!(stopped > 0);
}

#[test]
fn an_unknown_link_type_says_so() {
    let f = Frame {
        meta: FrameMeta {
            number: 1,
            ts: Timestamp(0),
            linktype: LinkType(147),
            orig_len: 4,
            interface: None,
        },
        data: vec![1, 2, 3, 4],
    };
    let l = dissect(&f);
    let s = l.stopped.unwrap();
    assert_eq!(s.layer, Layer::Link);
    assert!(s.why.contains("147"), "{}", s.why);
}
