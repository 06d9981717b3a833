//! berry: stage 7 of an AgogSaaS delivery workflow, the last gate before production.
//!
//! `cli` and `commands` turn arguments into plain options and print; everything else does the
//! work and never prints nor sees clap types.

pub mod checklist;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod commit;
pub mod complete;
pub mod config;
pub mod context;
pub mod decide;
pub mod deliverables;
pub mod demo;
pub mod diffview;
pub mod effects;
pub mod env_vars;
pub mod error;
pub mod evidence;
pub mod failures;
pub mod fault;
pub mod freeze;
pub mod gate;
pub mod gateconfig;
pub mod git;
pub mod github;
pub mod guards;
pub mod health;
pub mod listen;
pub mod logging;
pub mod manpages;
pub mod message;
pub mod nats;
pub mod notice;
pub mod plan;
pub mod pr;
pub mod prbody;
pub mod printer;
pub mod push;
pub mod quote;
pub mod req;
pub mod review;
pub mod rollback;
pub mod scope;
pub mod secrets;
pub mod settings;
pub mod signals;
pub mod status;
pub mod testrun;
pub mod tracker;
pub mod trackercommit;
pub mod verify;
pub mod watch;
pub mod workflow;
pub mod workspace;
