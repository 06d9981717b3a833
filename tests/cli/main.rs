//! berry's one integration-test binary: every test drives the real `berry` binary.

mod common;

mod commit;
mod config;
mod context;
mod help;
mod review;
mod status;
mod test_step;
mod verify;
