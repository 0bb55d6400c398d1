//! `network.json` (`mipnet show`, `predict`, `verify`, `bounds`, `export`):
//! any bytes either load or get an error; a loaded network renders, scores
//! and converts to the verifier's form without a panic, as the commands do.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mipnet_network::{render, Network, ReluNet};
use std::path::PathBuf;
use std::sync::OnceLock;

/// One scratch file per fuzzing process: `Network::load` reads a path, as
/// the commands do, so the input goes through the same file reading.
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        dir.join(format!("mipnet-fuzz-network-{}.json", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(path, data).expect("the scratch file is writable");
    let Ok(net) = Network::load(path) else { return };
    let _ = render(&net);
    let zeros = vec![0.0; net.feature_names.len()];
    let scores = net.scores(&zeros);
    assert_eq!(scores.len(), net.class_names.len(), "scores length differs from the classes");
    let _ = net.predict(&zeros);
    let _ = (net.weight_sparsity(), net.params_kept(), net.params_total(), net.neurons_kept());
    let relu = ReluNet::from_network(&net);
    if relu.check().is_ok() {
        let y = relu.forward(&zeros);
        assert_eq!(y.len(), relu.output_names.len(), "forward pass length differs from the output names");
    }
});
