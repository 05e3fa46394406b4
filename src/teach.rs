//! Teaching: the built-in lessons and their notes, and the socket calls each
//! end's application made, read from its segments. Pure: no I/O.

pub mod calls;
pub mod lessons;
mod notes;
