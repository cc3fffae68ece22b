//! Integration tests: drive the optctl binary in a temporary home.
