"""What the CLI prints, byte-for-byte deterministic: plans, previews and diffs as text, JSON,
Markdown (never forgeable by a pull request) and Mermaid, and the project as `config` shows it."""
