//! Convolution and pooling layers of mipnet's own networks.
//!
//! Images are flat vectors in channel-major, row-major (C, H, W) order, as
//! the IDX reader and ONNX's Flatten lay them out. A convolution layer is a
//! dense layer whose weight matrix is tied: output neuron (c, y, x) reads
//! the kernel of filter c at the input positions under its window, and the
//! rest of its row is 0. [`crate::Layer`] keeps that unrolled matrix so that
//! everything written for dense layers (the MILP encoders, ONNX, the
//! certificate) sees a convolution as the affine map it is; the free
//! parameters are the filters and one bias per filter.

use crate::window::{pool_windows, Window};
use serde::{Deserialize, Serialize};

/// The geometry of a 2-D convolution: `channels` filters of
/// `kernel × kernel` over an input of `input = [C, H, W]`, with `stride`
/// and zero `padding` on every side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvShape {
    pub input: [usize; 3],
    pub channels: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
}

impl ConvShape {
    /// The window over one input plane.
    pub fn window(&self) -> Window {
        Window {
            h: self.input[1],
            w: self.input[2],
            kernel: [self.kernel; 2],
            strides: [self.stride; 2],
            pads: [self.padding; 4],
            dilations: [1, 1],
        }
    }

    /// Refuses geometries without an output.
    pub fn validate(&self) -> Result<(), String> {
        if self.input.contains(&0) || self.channels == 0 || self.kernel == 0 || self.stride == 0 {
            return Err(format!(
                "convolution of {} filters {k}×{k} stride {} over {}×{}×{}: every size must be positive",
                self.channels,
                self.stride,
                self.input[0],
                self.input[1],
                self.input[2],
                k = self.kernel
            ));
        }
        if self.window().out().is_none() {
            return Err(format!(
                "a {k}×{k} kernel with padding {} does not fit a {}×{} image",
                self.padding,
                self.input[1],
                self.input[2],
                k = self.kernel
            ));
        }
        Ok(())
    }

    /// `[channels, out height, out width]`.
    pub fn output_shape(&self) -> [usize; 3] {
        let [h, w] = self.window().out().expect("a validated shape");
        [self.channels, h, w]
    }

    /// Number of output neurons.
    pub fn outputs(&self) -> usize {
        self.output_shape().iter().product()
    }

    /// Length of the flat input.
    pub fn inputs(&self) -> usize {
        self.input.iter().product()
    }

    /// Number of filter weights: channels × input channels × kernel².
    pub fn params(&self) -> usize {
        self.channels * self.input[0] * self.kernel * self.kernel
    }

    /// The filter of output neuron `j`.
    pub fn channel_of(&self, j: usize) -> usize {
        let [_, h, w] = self.output_shape();
        j / (h * w)
    }

    /// For each output neuron, its (input index, filter-weight index) pairs:
    /// the kernel taps that fall inside the image (padding reads 0).
    pub fn taps(&self) -> Vec<Vec<(usize, usize)>> {
        let win = self.window();
        let [c_out, oh, ow] = self.output_shape();
        let (c_in, k) = (self.input[0], self.kernel);
        let plane = self.input[1] * self.input[2];
        let mut out = Vec::with_capacity(c_out * oh * ow);
        for c in 0..c_out {
            for oy in 0..oh {
                for ox in 0..ow {
                    let taps = win.taps(oy, ox);
                    let mut row = Vec::with_capacity(c_in * taps.len());
                    for ic in 0..c_in {
                        for &(ky, kx, at) in &taps {
                            row.push((ic * plane + at, ((c * c_in + ic) * k + ky) * k + kx));
                        }
                    }
                    row.sort_unstable();
                    out.push(row);
                }
            }
        }
        out
    }

    /// The unrolled weight matrix `[outputs][inputs]` of `filters`.
    pub fn unroll(&self, filters: &[f64]) -> Vec<Vec<f64>> {
        self.taps()
            .iter()
            .map(|taps| {
                let mut row = vec![0.0; self.inputs()];
                for &(i, p) in taps {
                    row[i] = filters[p];
                }
                row
            })
            .collect()
    }
}

fn one() -> usize {
    1
}

/// A convolution layer as the user asks for it: filters, kernel, stride,
/// padding and pooling; the input image's shape follows from the data
/// (one channel, square) unless `image` gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvSpec {
    pub channels: usize,
    pub kernel: usize,
    #[serde(default = "one")]
    pub stride: usize,
    #[serde(default)]
    pub padding: usize,
    #[serde(default)]
    pub pool: Option<Pool>,
    /// `[C, H, W]` of the input; default `[1, s, s]` with s² inputs.
    #[serde(default)]
    pub image: Option<[usize; 3]>,
}

impl ConvSpec {
    /// The convolution's geometry over `d` inputs, checked (pooling too).
    pub fn shape(&self, d: usize) -> Result<ConvShape, String> {
        let input = match self.image {
            Some(img) => {
                if img.iter().product::<usize>() != d {
                    return Err(format!(
                        "image {}×{}×{} has {} values, the data has {d} features",
                        img[0],
                        img[1],
                        img[2],
                        img.iter().product::<usize>()
                    ));
                }
                img
            }
            None => {
                let s = (d as f64).sqrt().round() as usize;
                if s * s != d {
                    return Err(format!(
                        "{d} features are not a square image; give the image shape as [channels, height, width]"
                    ));
                }
                [1, s, s]
            }
        };
        let shape = ConvShape {
            input,
            channels: self.channels,
            kernel: self.kernel,
            stride: self.stride,
            padding: self.padding,
        };
        shape.validate()?;
        if let Some(p) = &self.pool {
            p.output_shape(shape.output_shape())?;
        }
        Ok(shape)
    }

    /// `conv 4x3x3 stride 2 > maxpool 2`, the architecture syntax.
    pub fn describe(&self) -> String {
        let mut t = format!("conv {}x{k}x{k}", self.channels, k = self.kernel);
        if self.stride != 1 {
            t += &format!(" stride {}", self.stride);
        }
        if self.padding != 0 {
            t += &format!(" pad {}", self.padding);
        }
        if let Some(p) = &self.pool {
            t += &format!(" > {}", p.describe());
        }
        t
    }
}

/// A network's layers as text: `conv 4x3x3 [stride S] [pad P] > maxpool 2
/// [stride S] > dense 16 > dense 10`, with `>` or `→` between layers. A
/// convolution (with its pooling) may only come first; the last `dense` is
/// the output layer (its width must be the number of classes, which the
/// caller checks). Returns the convolution, the hidden dense widths and the
/// output width.
pub fn parse_architecture(text: &str) -> Result<(Option<ConvSpec>, Vec<usize>, usize), String> {
    let parts: Vec<Vec<&str>> = text
        .split(['>', '→'])
        .map(|p| p.split_whitespace().collect::<Vec<_>>())
        .collect();
    let num = |w: Option<&&str>, what: &str| -> Result<usize, String> {
        let w = w.ok_or_else(|| format!("'{what}' needs a number"))?;
        w.parse::<usize>()
            .ok()
            .filter(|&v| v > 0)
            .ok_or_else(|| format!("'{what} {w}': expected a positive whole number"))
    };
    let mut conv: Option<ConvSpec> = None;
    let mut dense = Vec::new();
    for (i, words) in parts.iter().enumerate() {
        let Some(&kind) = words.first() else {
            return Err(format!("layer {} is empty", i + 1));
        };
        // Options after the first two words: `stride S`, `pad P`.
        let mut opts = std::collections::BTreeMap::new();
        let mut rest = words[2.min(words.len())..].iter();
        while let Some(&key) = rest.next() {
            if !["stride", "pad"].contains(&key) {
                return Err(format!(
                    "'{key}' in layer {} ('{}'): expected stride or pad",
                    i + 1,
                    words.join(" ")
                ));
            }
            let value = match (key, rest.next()) {
                // Zero padding is a padding; a stride must move.
                ("pad", Some(&"0")) => 0,
                (_, v) => num(v, key)?,
            };
            if opts.insert(key, value).is_some() {
                return Err(format!(
                    "'{key}' given twice in layer {} ('{}')",
                    i + 1,
                    words.join(" ")
                ));
            }
        }
        match kind {
            "conv" => {
                if i != 0 {
                    return Err("a convolution can only be the first layer".into());
                }
                let spec = words.get(1).ok_or("'conv' needs CxKxK, e.g. conv 4x3x3")?;
                let dims: Option<Vec<usize>> = spec.split(['x', '×']).map(|v| v.parse().ok()).collect();
                let Some(&[channels, kh, kw]) = dims.as_deref() else {
                    return Err(format!("'conv {spec}': expected filters x kernel x kernel, e.g. 4x3x3"));
                };
                if kh != kw || channels == 0 || kh == 0 {
                    return Err(format!("'conv {spec}': square kernels with positive sizes only"));
                }
                conv = Some(ConvSpec {
                    channels,
                    kernel: kh,
                    stride: opts.get("stride").copied().unwrap_or(1),
                    padding: opts.get("pad").copied().unwrap_or(0),
                    pool: None,
                    image: None,
                });
            }
            "maxpool" | "avgpool" => {
                let Some(c) = conv.as_mut().filter(|c| c.pool.is_none() && i == 1) else {
                    return Err(format!("'{kind}' must directly follow the convolution"));
                };
                if opts.contains_key("pad") {
                    return Err(format!("'{kind}' has no padding"));
                }
                let size = num(words.get(1), kind)?;
                c.pool = Some(Pool {
                    kind: if kind == "maxpool" {
                        PoolKind::Max
                    } else {
                        PoolKind::Average
                    },
                    size,
                    stride: opts.get("stride").copied().unwrap_or(size),
                });
            }
            "dense" => {
                if !opts.is_empty() {
                    return Err("'dense' takes only a width".into());
                }
                dense.push(num(words.get(1), "dense")?);
            }
            other => return Err(format!("unknown layer '{other}' (conv, maxpool, avgpool, dense)")),
        }
    }
    match dense.pop() {
        Some(k) => Ok((conv, dense, k)),
        None => Err("the architecture must end with the output layer, e.g. 'dense 10'".into()),
    }
}

/// A convolution's geometry with its filters
/// (`filters[((c·C_in + ic)·k + ky)·k + kx]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conv {
    pub shape: ConvShape,
    pub filters: Vec<f64>,
}

/// Max or average.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolKind {
    Max,
    Average,
}

/// Pooling of each channel over `size × size` windows moved by `stride`,
/// without padding, applied after a convolution layer's ReLU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    pub kind: PoolKind,
    pub size: usize,
    pub stride: usize,
}

impl Pool {
    fn window(&self, input: [usize; 3]) -> Window {
        Window {
            h: input[1],
            w: input[2],
            kernel: [self.size; 2],
            strides: [self.stride; 2],
            pads: [0; 4],
            dilations: [1, 1],
        }
    }

    /// The pooled shape of a `[C, H, W]` input, or why there is none.
    pub fn output_shape(&self, input: [usize; 3]) -> Result<[usize; 3], String> {
        if self.size == 0 || self.stride == 0 {
            return Err("pooling size and stride must be positive".into());
        }
        match self.window(input).out() {
            Some([h, w]) => Ok([input[0], h, w]),
            None => Err(format!(
                "a {s}×{s} pooling window does not fit a {}×{} feature map",
                input[1],
                input[2],
                s = self.size
            )),
        }
    }

    /// For each pooled output, the flat indices of the inputs it reads.
    pub fn windows(&self, input: [usize; 3]) -> Vec<Vec<usize>> {
        pool_windows(&self.window(input), input[0])
    }

    /// The pooled values of `h` (shape `input`).
    pub fn apply(&self, input: [usize; 3], h: &[f64]) -> Vec<f64> {
        self.windows(input)
            .iter()
            .map(|w| self.reduce(w.iter().map(|&i| h[i])))
            .collect()
    }

    /// The max or the mean of one window's values.
    pub fn reduce(&self, values: impl ExactSizeIterator<Item = f64>) -> f64 {
        match self.kind {
            PoolKind::Max => values.fold(f64::NEG_INFINITY, f64::max),
            // Σ v·(1/n), as the unrolled affine map computes it.
            PoolKind::Average => {
                let inv = 1.0 / values.len() as f64;
                values.map(|v| v * inv).sum::<f64>()
            }
        }
    }

    /// `maxpool 2` / `avgpool 2 stride 1`.
    pub fn describe(&self) -> String {
        let name = match self.kind {
            PoolKind::Max => "maxpool",
            PoolKind::Average => "avgpool",
        };
        if self.stride == self.size {
            format!("{name} {}", self.size)
        } else {
            format!("{name} {} stride {}", self.size, self.stride)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn architectures_parse_and_bad_ones_are_named() {
        let (c, h, k) = parse_architecture("conv 4x3x3 stride 2 > maxpool 2 > dense 16 → dense 10").unwrap();
        assert_eq!(k, 10);
        let c = c.unwrap();
        assert_eq!((c.channels, c.kernel, c.stride, c.padding), (4, 3, 2, 0));
        assert_eq!(c.pool.unwrap().kind, PoolKind::Max);
        assert_eq!(h, vec![16]);
        assert_eq!(c.describe(), "conv 4x3x3 stride 2 > maxpool 2");
        assert_eq!(parse_architecture("dense 8 > dense 3").unwrap(), (None, vec![8], 3));
        let (c, _, _) = parse_architecture("conv 2x3x3 pad 0 > dense 3").unwrap();
        assert_eq!(c.unwrap().padding, 0);
        for (bad, msg) in [
            ("conv 4x3 > dense 3", "expected filters x kernel"),
            ("dense 8 > conv 4x3x3 > dense 3", "only be the first"),
            ("maxpool 2 > dense 3", "directly follow"),
            ("conv 2x3x3 > maxpool 2 pad 1 > dense 3", "no padding"),
            ("conv 2x3x3 strid 2 > dense 3", "'strid'"),
            ("conv 4xax3x3 > dense 3", "expected filters x kernel"),
            ("conv 2x3x3 stride 2 stride 3 > dense 3", "given twice"),
            ("conv 2x3x3 stride 0 > dense 3", "positive whole number"),
            ("dense 0 > dense 3", "positive whole number"),
            ("relu > dense 3", "unknown layer 'relu'"),
            ("conv 2x3x3", "must end with"),
        ] {
            let e = parse_architecture(bad).unwrap_err();
            assert!(e.contains(msg), "{bad}: {e}");
        }
        let spec = parse_architecture("conv 2x3x3 > maxpool 2 > dense 3")
            .unwrap()
            .0
            .unwrap();
        assert_eq!(spec.shape(196).unwrap().output_shape(), [2, 12, 12]);
        assert!(spec.shape(10).unwrap_err().contains("not a square image"));
        assert!(spec.shape(4).unwrap_err().contains("does not fit"));
    }

    /// Convolution from the definition over a zero-padded image.
    fn naive(shape: &ConvShape, f: &[f64], x: &[f64]) -> Vec<f64> {
        let [c_in, h, w] = shape.input;
        let [c_out, oh, ow] = shape.output_shape();
        let (k, p, s) = (shape.kernel as isize, shape.padding as isize, shape.stride as isize);
        let mut out = Vec::new();
        for c in 0..c_out {
            for oy in 0..oh as isize {
                for ox in 0..ow as isize {
                    let mut a = 0.0;
                    for ic in 0..c_in {
                        for ky in 0..k {
                            for kx in 0..k {
                                let (y, xx) = (oy * s + ky - p, ox * s + kx - p);
                                if y >= 0 && xx >= 0 && (y as usize) < h && (xx as usize) < w {
                                    let wv = f[((c * c_in + ic) * k as usize + ky as usize) * k as usize + kx as usize];
                                    a += wv * x[(ic * h + y as usize) * w + xx as usize];
                                }
                            }
                        }
                    }
                    out.push(a);
                }
            }
        }
        out
    }

    #[test]
    fn unrolled_convolution_is_the_definition() {
        for (input, channels, kernel, stride, padding) in [
            ([1, 5, 5], 2, 3, 1, 0),
            ([2, 6, 5], 3, 3, 2, 1),
            ([1, 4, 4], 1, 2, 2, 0),
        ] {
            let shape = ConvShape {
                input,
                channels,
                kernel,
                stride,
                padding,
            };
            shape.validate().unwrap();
            let f: Vec<f64> = (0..shape.params()).map(|i| (i as f64 * 0.37).sin()).collect();
            let x: Vec<f64> = (0..shape.inputs()).map(|i| (i as f64 * 0.91).cos()).collect();
            let w = shape.unroll(&f);
            let mine: Vec<f64> = w.iter().map(|r| r.iter().zip(&x).map(|(a, b)| a * b).sum()).collect();
            let want = naive(&shape, &f, &x);
            assert_eq!(mine.len(), want.len());
            for (a, b) in mine.iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn pooling_reads_each_window() {
        let pool = Pool {
            kind: PoolKind::Max,
            size: 2,
            stride: 2,
        };
        let h: Vec<f64> = (0..2 * 4 * 4).map(|i| ((i * 7) % 11) as f64).collect();
        let out = pool.apply([2, 4, 4], &h);
        assert_eq!(pool.output_shape([2, 4, 4]).unwrap(), [2, 2, 2]);
        // Channel 1, bottom-right window: positions (2..4, 2..4) of plane 1.
        let want = [26, 27, 30, 31].iter().map(|&i| h[i]).fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(out[7], want);
        let avg = Pool {
            kind: PoolKind::Average,
            ..pool
        };
        assert_eq!(avg.apply([2, 4, 4], &h)[0], (h[0] + h[1] + h[4] + h[5]) / 4.0);
        assert!(pool.output_shape([1, 1, 1]).unwrap_err().contains("does not fit"));
    }
}
