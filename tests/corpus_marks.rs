//! Analysis marks on named frames of real captures (`../shared/corpus`): each frame here was
//! wrong once (issue 13), and says what the mark means on it. As in tests/corpus.rs, a
//! missing corpus is a failure, not a skip.

mod common;

/// The marks synack gives frame `frame` of corpus capture `file`.
fn marks_of(file: &str, frame: u64) -> Vec<String> {
    let path = common::corpus_dir()
        .join(file)
        .to_string_lossy()
        .into_owned();
    let lines = common::json_lines(&path, &["--max-events", "100000000"]);
    common::connections(&lines)
        .iter()
        .flat_map(|c| c["events"].as_array().unwrap())
        .find(|e| e["frame"] == frame)
        .unwrap_or_else(|| panic!("{file}: no frame {frame}"))["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect()
}

fn check(file: &str, frames: &[u64], mark: &str, want: bool) {
    for &f in frames {
        let m = marks_of(file, f);
        assert_eq!(m.iter().any(|x| x == mark), want, "{file} frame {f}: {m:?}");
    }
}

const VLAN: &str = "zeek__vlan-collisions.pcap";

#[test]
fn data_copied_after_a_repeated_syn_or_synack_is_a_retransmission() {
    check(VLAN, &[9, 22, 23, 24, 25], "retransmission", true);
    // The client's ACK copy after the repeated SYN (frame 8) is not at its next sequence
    // number, so it is no duplicate ACK (Wireshark's rule too).
    check(VLAN, &[8], "dup_ack", false);
}

#[test]
fn the_ack_answering_a_keepalive_is_not_a_dup_ack() {
    let f = "zeek__redis__pubsub.pcap";
    check(f, &[23, 47], "keepalive", true);
    check(f, &[24, 48], "dup_ack", false);
    // Copies of the client's old ACKs after its FIN sit one below its next sequence number:
    // keep-alives by Wireshark's definition, as tshark marks them.
    check(VLAN, &[26, 27], "keepalive", true);
    // The ACK answering a SYN+ACK sent again, with no data outstanding, is no duplicate ACK
    // (RFC 5681 section 2, condition (a)); tshark marks it one.
    let tfo = "suricata-verify__tcp-fastopen-10-syn-data-ignore__input.pcap";
    check(tfo, &[21], "dup_ack", false);
}

#[test]
fn an_ack_over_data_never_captured_is_acked_unseen() {
    check(
        "suricata-verify__tcp-rst-unacked-stream-10__TLPW1-tcp-174.56.47.59-10.3.11.101-tcp-80-49309.pcap",
        &[74],
        "acked_unseen",
        true,
    );
    check("zeek__tcp__miss_end_data.pcap", &[7], "acked_unseen", true);
    check("zeek__tcp__miss_end_data.pcap", &[8], "acked_unseen", false);
    check(
        "zeek__ldap__gap-data-missing.pcapng",
        &[9, 11],
        "acked_unseen",
        true,
    );
    // Every byte of this connection was captured (16777218 bytes, no gap): its last ACK
    // covers nothing unseen. tshark marks it, its "max seq to be acked" having fallen behind.
    check(
        "zeek__contentline__telnet-unclosed-suboption.pcapng.gz",
        &[13987],
        "acked_unseen",
        false,
    );
}
