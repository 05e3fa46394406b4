//! `--export`: golden exports of every format for the demo's connections, and each format
//! checked by the tool that reads it: PlantUML renders the .puml files, Mermaid's own parser
//! (the npm package, under node) parses the .mmd files, librsvg's rsvg-convert draws the SVG
//! and the PNG it makes is read back. `make deps` installs the tools (Debian's plantuml and
//! librsvg2-bin, the npm packages in target/npm). Under CI=true a missing tool fails the
//! test; elsewhere the test says loudly that it skips.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FORMATS: [(&str, &str); 4] = [
    ("mermaid", "mmd"),
    ("plantuml", "puml"),
    ("svg", "svg"),
    ("text", "txt"),
];

/// The demo's connections (`Connection #1` to `#6`).
const DEMO_CONNS: u64 = 6;

fn synack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_synack"))
        .args(args)
        .output()
        .expect("run synack")
}

/// The demo exported in `format` into a fresh folder, as the goldens are made: with the
/// socket calls and the server named.
fn export_demo(format: &str) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let files = export_to(
        "demo.pcap",
        format,
        &["--calls", "--alias", "192.168.1.20=web"],
        dir.path(),
    );
    (dir, files)
}

/// `fixture` exported in `format` with `extra` into the folder `dir`: its files, by name.
fn export_to(fixture: &str, format: &str, extra: &[&str], dir: &Path) -> Vec<PathBuf> {
    let out = format!("{}/", dir.display());
    let path = common::fixture(fixture);
    let mut args = vec![path.as_str(), "--export", format, "-o", &out];
    args.extend_from_slice(extra);
    let o = synack(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x != "png"))
        .collect();
    files.sort();
    files
}

/// Captures whose ladders hold what the demo's do not (IPv6 addresses, retransmissions and
/// holes, a TIME_WAIT timer, segments left out past --max-events), each with a name full of
/// every format's markup: exported in `format`, every file, for the renderers to read.
fn export_hard_cases(format: &str, dir: &Path) -> Vec<PathBuf> {
    let nasty = r#"<b>web</b>;#1 **x** --y-- //z// "q" [[u]] \n & ~"#;
    let mut files = Vec::new();
    for (k, (fixture, extra)) in [
        ("ipv6-ext.pcap", &[][..]),
        ("retransmissions.pcap", &[][..]),
        ("missing-segments.pcap", &[][..]),
        ("time-wait-expiry.pcap", &["--calls"][..]),
        ("bulk-transfer.pcap", &["--max-events", "16"][..]),
        ("out-of-order.pcap", &["--absolute"][..]),
        // App labels: quotes, colons, brackets and escaped control bytes from payloads.
        ("app-web.pcap", &[][..]),
        ("app-text.pcap", &[][..]),
        ("app-hostile.pcap", &[][..]),
    ]
    .into_iter()
    .enumerate()
    {
        let sub = dir.join(format!("case{k}"));
        let mut args = extra.to_vec();
        let alias = [
            format!("10.0.0.1={nasty}"),
            format!("[2001:db8::2]:443={nasty}"),
        ];
        args.extend(["--alias", &alias[0], "--alias", &alias[1]]);
        let got = export_to(fixture, format, &args, &sub);
        assert!(!got.is_empty(), "{fixture}");
        files.extend(got);
    }
    files
}

/// Whether `tool` can run (`probe`: arguments that make it print its version). Missing under
/// CI=true is a failure; elsewhere a loud skip.
fn have(tool: &str, probe: &[&str]) -> bool {
    let ok = Command::new(tool)
        .args(probe)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is missing: `make deps` installs it; under CI=true this test must run"
        );
        eprintln!("\n*** SKIPPED: {tool} is not installed (`make deps` installs it) ***\n");
    }
    ok
}

#[test]
fn every_format_of_the_demo_matches_its_golden() {
    for (format, ext) in FORMATS {
        let (_dir, files) = export_demo(format);
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let want: Vec<String> = (1..=DEMO_CONNS)
            .map(|id| format!("synack-conn-{id}.{ext}"))
            .collect();
        assert_eq!(names, want, "{format}");
        for (f, name) in files.iter().zip(&names) {
            let got = std::fs::read_to_string(f).unwrap();
            common::golden_file(format, &format!("export/{name}"), &got);
        }
    }
}

/// What the ladder of connection #1 shows, found in every format: segments with flags and
/// relative seq/ack, lengths and windows, times, states where they change (the server's
/// assumed LISTEN?), the folded run, the socket calls, the finding, the alias.
#[test]
fn every_format_carries_what_the_ladder_shows() {
    for (format, _) in FORMATS {
        let (_dir, files) = export_demo(format);
        let one = std::fs::read_to_string(&files[0]).unwrap();
        for want in [
            "SYN seq=0 win=64240",
            "SYN+ACK seq=0 ack=1 win=65160",
            "FIN+ACK seq=121 ack=3721",
            "0.107200",
            "SYN_SENT",
            "SYN_RECEIVED",
            "FIN_WAIT_2",
            "LAST_ACK",
            "TIME_WAIT",
            "LISTEN",
            "6 segments, 3,840 bytes, 0.025 s",
            "connect()",
            "accept()",
            "read() = 0",
            "time_wait: the client 192.168.1.10:51000 closed first",
            "web",
        ] {
            assert!(one.contains(want), "{format}: no {want:?} in\n{one}");
        }
        // Its SYN+ACK proved the listener: no row of it says LISTEN?.
        assert!(!one.contains("LISTEN?"), "{format}");
        // The refused connection: its reset and the server that has no listener.
        let two = std::fs::read_to_string(&files[1]).unwrap();
        assert!(two.contains("RST+ACK seq=0 ack=1"), "{format}");
        assert!(two.contains("CLOSED (no listener)"), "{format}");
        assert!(
            !two.contains("LISTEN"),
            "{format}: refused, it never listened"
        );
        assert!(two.contains("ECONNREFUSED"), "{format}");
    }
}

#[test]
fn socket_calls_are_there_only_with_calls() {
    let demo = common::fixture("demo.pcap");
    for (format, _) in FORMATS {
        let o = synack(&[&demo, "--export", format, "--conn", "1"]);
        assert!(o.status.success());
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(out.contains("SYN_SENT"), "{format}");
        assert!(!out.contains("connect()"), "{format}: {out}");
    }
}

#[test]
fn plantuml_renders_every_export() {
    if !have("plantuml", &["-version"]) {
        return;
    }
    let (dir, mut files) = export_demo("plantuml");
    files.extend(export_hard_cases("plantuml", dir.path()));
    let o = Command::new("plantuml")
        .arg("-tpng")
        .args(&files)
        .output()
        .expect("run plantuml");
    assert!(
        o.status.success(),
        "plantuml: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for f in &files {
        let png = f.with_extension("png");
        let size = std::fs::metadata(&png).map_or(0, |m| m.len());
        assert!(size > 5_000, "{}: {size} bytes", png.display());
    }
    // The check can fail: PlantUML refuses a broken diagram.
    let bad = dir.path().join("bad.puml");
    std::fs::write(
        &bad,
        "@startuml\nC -> S : x\nthis is -> not -> plantuml ->\n@enduml\n",
    )
    .unwrap();
    let o = Command::new("plantuml")
        .arg("-tpng")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!o.status.success(), "plantuml took a broken diagram");
}

/// The npm packages `make deps` installs (`SYNACK_NPM` to look elsewhere).
fn npm_dir() -> PathBuf {
    std::env::var_os("SYNACK_NPM")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::root().join("target/npm"))
}

fn mermaid_parse(files: &[PathBuf]) -> Output {
    Command::new("node")
        .arg(common::root().join("tests/export/mermaid-parse.mjs"))
        .args(files)
        .env("SYNACK_NPM", npm_dir())
        .output()
        .expect("run node")
}

#[test]
fn mermaids_own_parser_accepts_every_export() {
    if !have("node", &["--version"]) {
        return;
    }
    let installed = npm_dir()
        .join("node_modules/mermaid/package.json")
        .is_file()
        && npm_dir().join("node_modules/jsdom/package.json").is_file();
    if !installed {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "mermaid and jsdom are not in {}: `make deps` installs them; under CI=true this \
             test must run",
            npm_dir().display()
        );
        eprintln!("\n*** SKIPPED: the mermaid npm package is not installed (`make deps`) ***\n");
        return;
    }
    let (dir, mut files) = export_demo("mermaid");
    files.extend(export_hard_cases("mermaid", dir.path()));
    let o = mermaid_parse(&files);
    let said =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{said}");
    assert_eq!(said.matches(" sequence\n").count(), files.len(), "{said}");
    // The check can fail: the parser refuses a broken diagram.
    let bad = dir.path().join("bad.mmd");
    std::fs::write(
        &bad,
        "sequenceDiagram\n    C->>S: x\n    this is not ->> mermaid ->>\n",
    )
    .unwrap();
    let o = mermaid_parse(&[bad]);
    assert!(!o.status.success(), "mermaid took a broken diagram");
}

/// The `width="W" height="H"` of an SVG's root element.
fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

/// The PNG's size and how many distinct colours its pixels have (up to a few).
fn png_colours(path: &Path) -> (u32, u32, usize) {
    let mut dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let mut seen = std::collections::BTreeSet::new();
    for p in buf[..info.buffer_size()].chunks(px) {
        seen.insert(p.to_vec());
        if seen.len() > 8 {
            break;
        }
    }
    (info.width, info.height, seen.len())
}

#[test]
fn rsvg_draws_every_svg_export_at_its_size() {
    if !have("rsvg-convert", &["--version"]) {
        return;
    }
    let (dir, mut files) = export_demo("svg");
    files.extend(export_hard_cases("svg", dir.path()));
    for f in &files {
        let svg = std::fs::read_to_string(f).unwrap();
        let png = f.with_extension("png");
        let o = Command::new("rsvg-convert")
            .arg("-o")
            .arg(&png)
            .arg(f)
            .output()
            .expect("run rsvg-convert");
        assert!(
            o.status.success(),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        let (w, h) = svg_size(&svg);
        // Slide size: as wide as a 1080p slide's content, and as tall as its rows.
        assert_eq!(w, 1100);
        assert!(h > 300, "{}: {h} px high", f.display());
        let (pw, ph, colours) = png_colours(&png);
        assert_eq!((pw, ph), (w, h), "{}", png.display());
        // Text, lines and the note's fill on white: never one colour.
        assert!(colours > 3, "{}: {colours} colours", png.display());
    }
}

#[test]
fn one_connection_goes_to_the_file_named_and_a_missing_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let demo = common::fixture("demo.pcap");
    let file = dir.path().join("three.mmd");
    let o = synack(&[
        &demo,
        "--export",
        "mermaid",
        "--conn",
        "3",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("wrote") && err.contains("three.mmd"), "{err}");
    let got = std::fs::read_to_string(&file).unwrap();
    assert!(got.starts_with("sequenceDiagram\n"));
    assert!(got.contains("Connection #35;3"), "{got}");
    assert_eq!(got.matches("sequenceDiagram").count(), 1);

    // Two connections asked for, to a path that is no folder yet: a folder, one file each.
    let folder = dir.path().join("two");
    let o = synack(&[
        &demo,
        "--export",
        "svg",
        "--conn",
        "2",
        "--conn",
        "5",
        "-o",
        folder.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["synack-conn-2.svg", "synack-conn-5.svg"]);

    let o = synack(&[&demo, "--export", "text", "--conn", "9"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no connection #9") && err.contains("#1 to #6"),
        "{err}"
    );
}

#[test]
fn without_o_every_connection_goes_to_standard_output() {
    let demo = common::fixture("demo.pcap");
    let o = synack(&[&demo, "--export", "plantuml"]);
    assert!(o.status.success());
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out.matches("@startuml").count(), DEMO_CONNS as usize);
    assert_eq!(out.matches("@enduml").count(), DEMO_CONNS as usize);
    let o = synack(&[
        &demo,
        "--export",
        "text",
        "--alias",
        "192.168.1.10:51000=laptop",
    ]);
    let out = String::from_utf8(o.stdout).unwrap();
    // The ladder of --text, connection by connection, with the name said under the header.
    assert!(
        out.contains("Connection #1  192.168.1.10:51000 -> 192.168.1.20:80\n  client is laptop\n")
    );
    assert_eq!(
        out.matches("is laptop").count(),
        1,
        "only that one endpoint"
    );
}

#[test]
fn bad_export_arguments_are_one_line_naming_the_option() {
    let demo = common::fixture("demo.pcap");
    let o = synack(&[&demo, "--export", "svg", "--alias", "web"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--alias wants ADDR=NAME"));
    let o = synack(&[&demo, "--export", "svg"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give -o FOLDER"));
    assert!(o.stdout.is_empty());
    let o = synack(&[&demo, "--export", "svg", "--conn", "2"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("<svg "));
    let o = synack(&[&demo, "--export", "png"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("mermaid, plantuml, svg, text"));
    // --conn and -o are --export's own.
    let o = synack(&[&demo, "--text", "--conn", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--conn goes with --export"));
    let o = synack(&["-i", "lo", "--export", "svg"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a live interface"));
}
