//! Live capture from a network interface (libpcap), on its own thread.

use std::sync::mpsc::SyncSender;
use std::thread::JoinHandle;

use super::source::SourceMsg;
use crate::cli::Args;
use crate::pipeline::Decoder;

/// Opens the interface named by `args.interface` and starts the capture thread, which sends
/// decoded segments and status to `tx`. Errors (no permission, unknown interface) come back
/// before any thread starts, as one line that says how to fix them.
pub fn start(
    args: &Args,
    decoder: Decoder,
    tx: SyncSender<SourceMsg>,
) -> Result<JoinHandle<()>, String> {
    let _ = (args, decoder, tx);
    Err("live capture is not available in this build yet".into())
}
