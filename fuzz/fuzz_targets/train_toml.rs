//! `mipnet train --config run.toml`: any text either deserializes into the
//! training settings or gets an error, and validating them never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mipnet_train::TrainSettings;

fuzz_target!(|data: &[u8]| {
    // The command reads the file with `read_to_string`: non-UTF-8 is refused there.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(settings) = TrainSettings::from_toml(text) else { return };
    let _ = settings.validate();
});
