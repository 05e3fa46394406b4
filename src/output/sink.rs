//! Where finished connections go in batch modes (file or live): the chosen format, the
//! running summary and the diagnosis, in one place so both runners write the same output.

use std::io::{self, Write};

use super::summary::Report;
use super::{json, text, OutputOptions, Summary};
use crate::decode::Timestamp;
use crate::diagnose::{diagnose_with, DiagConfig, Diagnosis, Finding};
use crate::kernel::KernelPair;
use crate::track::udp::UdpFlow;
use crate::track::Connection;
use crate::zeek;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Ladder diagrams and a summary.
    Text,
    /// JSON lines.
    Json,
    /// The `--diagnose` report only.
    Diagnose,
    /// Zeek's conn.log, TSV (`--zeek`).
    Zeek,
    /// Zeek's conn.log, JSON lines (`--zeek-json`).
    ZeekJson,
}

/// A connection's findings and its formatted lines, made by [`Renderer::render`] on any
/// thread and taken in, in order, by [`Sink::rendered`].
pub struct Rendered {
    findings: Vec<Finding>,
    bytes: Vec<u8>,
}

/// The pure half of a [`Sink`]: diagnoses and formats one connection, touching nothing
/// shared, so another thread can take a share of the work (a batch run's last connections,
/// all written at once when the capture ends).
#[derive(Clone)]
pub struct Renderer {
    format: Format,
    opts: OutputOptions,
    diag: DiagConfig,
}

impl Renderer {
    /// `--diagnose` shows the sentences of a few findings only: the sink words those.
    fn findings(&self, c: &Connection, now: Timestamp) -> Vec<Finding> {
        diagnose_with(c, now, &self.diag, self.format != Format::Diagnose)
    }

    /// Appends `c`'s lines (none for `--diagnose`) to `buf`; `text` is scratch space.
    fn format(
        &self,
        c: &Connection,
        now: Timestamp,
        findings: &[Finding],
        buf: &mut Vec<u8>,
        text: &mut String,
        kernel: Option<&KernelPair>,
    ) {
        match self.format {
            Format::Text => {
                text::write_connection(text, c, &self.opts, findings, kernel);
                buf.extend_from_slice(text.as_bytes());
                text.clear();
            }
            Format::Json => {
                json::write_connection_kernel_into(buf, c, &self.opts, findings, now, kernel)
            }
            Format::Zeek => zeek::log::rows(c)
                .iter()
                .for_each(|r| zeek::log::write_tsv(buf, r)),
            Format::ZeekJson => zeek::log::rows(c)
                .iter()
                .for_each(|r| zeek::log::write_json(buf, r)),
            Format::Diagnose => {}
        }
    }

    pub fn render(&self, c: &Connection, now: Timestamp) -> Rendered {
        let findings = self.findings(c, now);
        let mut bytes = Vec::new();
        self.format(c, now, &findings, &mut bytes, &mut String::new(), None);
        Rendered { findings, bytes }
    }
}

pub struct Sink<'w> {
    pub format: Format,
    pub opts: OutputOptions,
    pub summary: Summary,
    pub diagnosis: Diagnosis,
    renderer: Renderer,
    out: &'w mut (dyn Write + Send),
    /// Output gathered here and written in blocks of [`Sink::BLOCK`] bytes: one call through
    /// the `dyn Write` per block rather than per connection, and no buffer per connection.
    buf: Vec<u8>,
    /// `--text` is built as a `String` (one connection at a time), then moved into `buf`.
    text: String,
    /// UDP flows written (`--udp`), and their datagrams, for the summary.
    pub udp_flows: u64,
    pub udp_datagrams: u64,
}

impl<'w> Sink<'w> {
    pub fn new(
        format: Format,
        opts: OutputOptions,
        diag: DiagConfig,
        out: &'w mut (dyn Write + Send),
    ) -> Self {
        let renderer = Renderer {
            format,
            opts,
            diag: diag.clone(),
        };
        let mut buf = Vec::new();
        if format == Format::Zeek {
            buf.extend_from_slice(
                zeek::log::header(&zeek::log::stamp(chrono::Utc::now())).as_bytes(),
            );
        }
        Sink {
            renderer,
            format,
            opts,
            summary: Summary::default(),
            diagnosis: Diagnosis::new(diag),
            out,
            buf,
            text: String::new(),
            udp_flows: 0,
            udp_datagrams: 0,
        }
    }

    const BLOCK: usize = 64 << 10;

    /// One connection that ended (or is still open when the capture stops), as of `now`.
    pub fn connection(&mut self, c: &Connection, now: Timestamp) -> io::Result<()> {
        self.connection_kernel(c, now, None)
    }

    /// [`Sink::connection`] with the kernel's view of its ends (live and lab runs): in the
    /// JSON, and a finding where it differs from what synack infers.
    pub fn connection_kernel(
        &mut self,
        c: &Connection,
        now: Timestamp,
        kernel: Option<&KernelPair>,
    ) -> io::Result<()> {
        let mut findings = self.renderer.findings(c, now);
        if let Some(k) = kernel {
            // Worded even for --diagnose: there are few, and its report words only its own.
            findings.extend(crate::kernel::findings(c, k, true));
        }
        self.renderer
            .format(c, now, &findings, &mut self.buf, &mut self.text, kernel);
        self.take(c, now, &findings)
    }

    /// A connection rendered elsewhere by [`Sink::renderer`]: the same output as
    /// [`Sink::connection`] would give.
    pub fn rendered(&mut self, c: &Connection, now: Timestamp, r: Rendered) -> io::Result<()> {
        self.buf.extend_from_slice(&r.bytes);
        self.take(c, now, &r.findings)
    }

    /// One UDP flow that went quiet (or was open when the capture stopped). `--text` and
    /// `--json` write it; the others have no place for it (Zeek's conn.log rows are TCP's
    /// here) and only count it.
    pub fn udp_flow(&mut self, f: &UdpFlow) -> io::Result<()> {
        self.udp_flows += 1;
        self.udp_datagrams += f.packets();
        match self.format {
            Format::Text => {
                super::udp::write_text(&mut self.text, f, text::text_lang(&self.opts));
                self.buf.extend_from_slice(self.text.as_bytes());
                self.text.clear();
            }
            Format::Json => super::udp::write_json(&mut self.buf, f, self.opts.no_events),
            Format::Diagnose | Format::Zeek | Format::ZeekJson => {}
        }
        if self.buf.len() >= Self::BLOCK {
            self.flush_buf()?;
        }
        Ok(())
    }

    /// A renderer with this sink's settings, for another thread.
    pub fn renderer(&self) -> Renderer {
        self.renderer.clone()
    }

    /// Counts `c` in the summary and the diagnosis; writes out a full block.
    fn take(&mut self, c: &Connection, now: Timestamp, findings: &[Finding]) -> io::Result<()> {
        self.summary.add(c);
        self.diagnosis.absorb(c, now, findings);
        if self.buf.len() >= Self::BLOCK {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        let r = self.out.write_all(&self.buf);
        self.buf.clear();
        r
    }

    /// The closing summary (or the diagnosis report). `source` names the file or interface;
    /// `extra` adds fields to the JSON summary (e.g. live drop counts).
    pub fn finish(
        &mut self,
        report: &Report<'_>,
        source: &str,
        extra: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> io::Result<()> {
        self.flush_buf()?;
        match self.format {
            Format::Text => {
                let lang = text::text_lang(&self.opts);
                let mut s = text::summary_in(report, lang);
                if self.udp_flows > 0 {
                    s.push_str(&self.udp_line(lang));
                }
                self.out.write_all(s.as_bytes())?
            }
            Format::Diagnose => {
                let text = self.diagnosis.text_in(source, self.opts.report_lang);
                self.out.write_all(text.as_bytes())?;
                if let Some(w) = report.warning {
                    writeln!(self.out, "\nwarning: {w}")?;
                }
                if report.tracker.budget_reached() {
                    let line = super::summary::budget_line(report.tracker);
                    writeln!(self.out, "\nnote: {line} (diagnosed as they stood)")?;
                }
            }
            Format::Json => {
                let mut v = json::summary_value(report);
                if let Some(o) = v.as_object_mut() {
                    o.insert("findings".into(), self.diagnosis.summary_json());
                    if self.udp_flows > 0 {
                        o.insert(
                            "udp".into(),
                            serde_json::json!({
                                "flows": self.udp_flows,
                                "datagrams": self.udp_datagrams,
                            }),
                        );
                    }
                    for (k, val) in extra.into_iter().flatten() {
                        o.insert(k, val);
                    }
                }
                serde_json::to_writer(&mut *self.out, &v)?;
                self.out.write_all(b"\n")?;
            }
            // A Zeek log is rows only; what went wrong goes to stderr, as Zeek's does.
            Format::Zeek => self
                .out
                .write_all(zeek::log::footer(&zeek::log::stamp(chrono::Utc::now())).as_bytes())?,
            Format::ZeekJson => {}
        }
        self.out.flush()
    }

    /// The summary's UDP line.
    fn udp_line(&self, lang: crate::i18n::Lang) -> String {
        let (f, d) = (self.udp_flows, self.udp_datagrams);
        crate::i18n::fill(lang.language().report.udp, &[("d", &d), ("f", &f)])
    }

    /// Findings that are problems (for `--diagnose`'s exit status).
    pub fn problems(&self) -> usize {
        self.diagnosis.problems()
    }

    /// The output, for lines of the caller's own (after everything written so far).
    pub fn out(&mut self) -> io::Result<&mut dyn Write> {
        self.flush_buf()?;
        Ok(self.out)
    }

    /// Writes out what is gathered and flushes (live captures, so lines appear promptly).
    pub fn flush(&mut self) -> io::Result<()> {
        self.flush_buf()?;
        self.out.flush()
    }
}
