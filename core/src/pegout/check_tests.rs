//! Named negative tests of the proposal check.
