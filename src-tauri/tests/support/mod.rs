// Shared by the e2e tests and the WebKitGTK table benchmark; each uses part of it.
#![allow(dead_code)]

pub mod webdriver;
