//! Real-window end-to-end tests of the desktop app live in `tests/`; this library is empty (a package needs a target).
