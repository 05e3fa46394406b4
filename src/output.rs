//! Batch output: ladder diagrams as text, JSON lines, and the summary.
