//! ONNX import (`--model net.onnx` of predict, show, verify, bounds): any
//! bytes either import or get an error; an imported network passes its own
//! consistency check and runs a forward pass.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(net) = mipnet_onnx::import_bytes(data) else { return };
    net.check().expect("import_bytes returned a network its own check refuses");
    let y = net.forward(&vec![0.0; net.inputs]);
    assert_eq!(y.len(), net.output_names.len(), "forward pass length differs from the output names");
    let _ = net.nonlinear_units();
});
