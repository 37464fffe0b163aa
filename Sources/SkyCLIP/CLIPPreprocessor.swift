import Foundation
import SkyImaging

/// open_clip's inference preprocessing (`image_transform(size, is_train=False)`): Pillow BICUBIC resize of the
/// shortest side to `imageSize` (torchvision's truncating size rule), centre crop with Python's rounding,
/// `convert("RGB")` after the crop, `/255`, then per-channel mean/std normalisation, all in float32.
///
/// The faster path (`reducedJPEGDecode`) lets libjpeg-turbo decode a large JPEG at 1/2, 1/4 or 1/8 scale (the
/// largest reduction that keeps the short side at least `imageSize`) before the same steps. It is not
/// bit-exact with open_clip: the DCT-domain downscale replaces part of the bicubic filter. Its measured effect
/// is in the test `reducedJPEGDecodeStaysClose` and the benchmark output.
public struct CLIPPreprocessor: Sendable {
    /// OpenAI's normalisation constants (open_clip `OPENAI_DATASET_MEAN` / `_STD`).
    public static let openAIMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    /// OpenAI's per-channel standard deviations.
    public static let openAIStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// The output side in pixels.
    public var imageSize: Int
    /// Per-channel means subtracted after `/255`.
    public var mean: [Float]
    /// Per-channel standard deviations divided by.
    public var std: [Float]
    /// Decode large JPEGs at a reduced DCT scale first (faster, not bit-exact).
    public var reducedJPEGDecode: Bool
    /// The PNG/JPEG decoder (libpng / libjpeg-turbo with Pillow's default settings).
    public var decoder: ImageDecoder

    /// A preprocessor for a model input side, with OpenAI's normalisation by default.
    public init(imageSize: Int, mean: [Float] = CLIPPreprocessor.openAIMean, std: [Float] = CLIPPreprocessor.openAIStd,
                reducedJPEGDecode: Bool = false, decoder: ImageDecoder = ImageDecoder()) {
        self.imageSize = imageSize
        self.mean = mean
        self.std = std
        self.reducedJPEGDecode = reducedJPEGDecode
        self.decoder = decoder
    }

    /// The resized and centre-cropped RGB image, exactly as Pillow/torchvision produce it. `nearest` is what
    /// Pillow forces for palette ("P") and bilevel ("1") images, which it resizes before converting to RGB.
    public func crop(_ image: RasterImage, nearest: Bool = false) -> RasterImage {
        let size = imageSize
        var resized = image
        let short = min(image.width, image.height), long = max(image.width, image.height)
        if short > 0 && short != size {
            // torchvision: new_long = int(size * long / short), a float division truncated.
            let newLong = Int(Double(size * long) / Double(short))
            let (width, height) = image.width <= image.height ? (size, newLong) : (newLong, size)
            resized = PillowResample.resize(image, width: width, height: height, filter: nearest ? .nearest : .bicubic)
        }
        // torchvision center_crop: top = int(round((H - size) / 2.0)), Python's round half to even.
        let top = Int(((Double(resized.height - size)) / 2).rounded(.toNearestOrEven))
        let left = Int(((Double(resized.width - size)) / 2).rounded(.toNearestOrEven))
        let rgb = PillowConvert.rgb(resized)
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for y in 0..<size {
            let sourceY = y + top
            guard sourceY >= 0 && sourceY < rgb.height else { continue }
            for x in 0..<size {
                let sourceX = x + left
                guard sourceX >= 0 && sourceX < rgb.width else { continue }
                let from = (sourceY * rgb.width + sourceX) * 3
                let to = (y * size + x) * 3
                pixels[to] = rgb.pixels[from]
                pixels[to + 1] = rgb.pixels[from + 1]
                pixels[to + 2] = rgb.pixels[from + 2]
            }
        }
        return RasterImage(width: size, height: size, layout: .rgb, pixels: pixels)
    }

    /// The normalised CHW float tensor of an already cropped RGB image.
    public func normalize(_ crop: RasterImage) -> [Float] {
        let plane = crop.width * crop.height
        var tensor = [Float](repeating: 0, count: 3 * plane)
        for channel in 0..<3 {
            let m = mean[channel], s = std[channel]
            for p in 0..<plane {
                tensor[channel * plane + p] = (Float(crop.pixels[p * 3 + channel]) / 255 - m) / s
            }
        }
        return tensor
    }

    /// Crop and normalise a decoded image.
    public func tensor(_ image: RasterImage) -> [Float] { normalize(crop(image)) }

    /// Decodes an image file (PNG, JPEG, TIFF or BMP) and returns its model input tensor.
    public func tensor(file path: String) throws(CLIPError) -> [Float] {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch {
            throw Self.decodeError(error, name: path)
        }
        return try tensor(bytes: bytes, name: path)
    }

    /// Decodes image bytes in memory (an upload, say) exactly as ``tensor(file:)`` decodes a file; `name` labels
    /// errors.
    public func tensor(bytes: [UInt8], name: String) throws(CLIPError) -> [Float] {
        do {
            var scale = JPEGScale.full
            let header = try decoder.header(of: bytes, name: name)
            // Pillow opens palette PNGs and TIFFs as "P" and 1-bit grey PNGs as "1", and resizes both with NEAREST.
            let nearest = header.isPalette || (header.format == .png && header.bitDepth == 1 && header.sourceChannels == 1)
            if reducedJPEGDecode {
                if header.format == .jpeg {
                    let short = min(header.width, header.height)
                    // Largest reduction whose output (ceil(short / d)) still covers the model input.
                    for candidate in [JPEGScale.eighth, .quarter, .half] where (short + candidate.rawValue - 1) / candidate.rawValue >= imageSize {
                        scale = candidate
                        break
                    }
                }
            }
            return normalize(crop(try decoder.decode(bytes, name: name, jpegScale: scale), nearest: nearest))
        } catch {
            throw Self.decodeError(error, name: name)
        }
    }

    private static func decodeError(_ error: any Error, name: String) -> CLIPError {
        // The image error already starts with the name; name it once.
        let message = "\(error)"
        let reason = message.hasPrefix(name + ": ") ? String(message.dropFirst(name.count + 2)) : message
        return .badInput(what: name, reason: "cannot decode the image: " + reason)
    }
}
