//! Sliding windows over a (C, H, W) value laid out channel-major, row-major
//! in a flat vector: what convolutions and poolings read. Shared by mipnet's
//! own convolution layers and by the ONNX importer.

/// A 2-D sliding window over an `h × w` plane.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub h: usize,
    pub w: usize,
    pub kernel: [usize; 2],
    pub strides: [usize; 2],
    /// Top, left, bottom, right (ONNX order: begins, then ends).
    pub pads: [usize; 4],
    pub dilations: [usize; 2],
}

impl Window {
    /// Output height and width, `None` when the window does not fit.
    pub fn out(&self) -> Option<[usize; 2]> {
        let dim = |k: usize| {
            let span = self.dilations[k] * (self.kernel[k] - 1) + 1;
            let padded = [self.h, self.w][k] + self.pads[k] + self.pads[k + 2];
            (padded >= span && self.strides[k] > 0).then(|| (padded - span) / self.strides[k] + 1)
        };
        if self.kernel.contains(&0) || self.dilations.contains(&0) {
            return None;
        }
        Some([dim(0)?, dim(1)?])
    }

    /// The taps of output position (oy, ox) that fall inside the plane: (kernel row, kernel
    /// column, index in the plane), in increasing plane order.
    pub fn taps(&self, oy: usize, ox: usize) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for ky in 0..self.kernel[0] {
            let y = (oy * self.strides[0] + ky * self.dilations[0]).checked_sub(self.pads[0]);
            let Some(y) = y.filter(|&y| y < self.h) else { continue };
            for kx in 0..self.kernel[1] {
                let x = (ox * self.strides[1] + kx * self.dilations[1]).checked_sub(self.pads[1]);
                if let Some(x) = x.filter(|&x| x < self.w) {
                    out.push((ky, kx, y * self.w + x));
                }
            }
        }
        out
    }
}

/// For each channel and output position, the input positions its window
/// covers (padding left out): what both poolings read.
pub fn pool_windows(win: &Window, channels: usize) -> Vec<Vec<usize>> {
    let [oh, ow] = win.out().expect("window checked by the caller");
    let plane = win.h * win.w;
    let mut windows = Vec::with_capacity(channels * oh * ow);
    for c in 0..channels {
        for oy in 0..oh {
            for ox in 0..ow {
                windows.push(win.taps(oy, ox).iter().map(|t| c * plane + t.2).collect());
            }
        }
    }
    windows
}
