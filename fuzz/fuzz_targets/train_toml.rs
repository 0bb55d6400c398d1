//! `mipnet train --config run.toml`: any text either deserializes into the
//! run's configuration (data, output, training settings) or gets an error,
//! and validating the settings never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mipnet_train::TrainSettings;

fuzz_target!(|data: &[u8]| {
    // The command reads the file with `read_to_string`: non-UTF-8 is refused there.
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(config) = TrainSettings::from_run_config(text) {
        let _ = config.settings().validate();
    }
    // The settings alone, as `TrainSettings::from_toml` reads them.
    if let Ok(settings) = TrainSettings::from_toml(text) {
        let _ = settings.validate();
    }
});
