import SkyImaging

/// Change labels (LEVIR-CD, WHU-CD, SYSU-CD, CDD) as 0/1 masks.
extension LabelMask {
    /// Reads a binary change label file (PNG, JPEG, TIFF or BMP, gray or colour) as a 0/1 mask, 1 = changed; see
    /// ``binaryChange(_:name:)``. Errors name the file.
    public static func binaryChange(path: String) throws(GeometryError) -> LabelMask {
        do {
            return try binaryChange(FileBytes.read(path), name: path)
        } catch let error as GeometryError {
            throw error
        } catch let error as ImageError {
            throw .image(error)
        } catch {
            throw .unsupportedMask(path: path, reason: "\(error)")
        }
    }

    /// Decodes binary change label bytes (PNG, JPEG, TIFF or BMP, gray or colour) into a 0/1 mask, 1 = changed.
    ///
    /// A pixel is changed when its gray value (the gray channel, or the largest of R, G, B so a coloured
    /// change mark counts whatever its hue) is above 127: the 0/255 convention of LEVIR-CD, WHU-CD, SYSU-CD
    /// and CDD, robust to JPEG noise and to labels stored with several values near 255. A PNG or TIFF whose values
    /// are only 0 and 1 uses 1 for change (a common re-encoding of these labels). `name` labels errors.
    public static func binaryChange(_ bytes: [UInt8], name: String) throws(GeometryError) -> LabelMask {
        let decoder = ImageDecoder()
        let image: RasterImage
        let format: ImageFormat
        do throws(ImageError) {
            format = try decoder.header(of: bytes, name: name).format
            image = try decoder.decode(bytes, name: name)
        } catch {
            throw .image(error)
        }
        let channels = image.layout.channels
        let colour = image.layout == .rgb || image.layout == .rgba
        var gray = [UInt8](repeating: 0, count: image.width * image.height)
        var brightest: UInt8 = 0
        image.pixels.withUnsafeBufferPointer { pixels in
            gray.withUnsafeMutableBufferPointer { gray in
                for index in 0..<gray.count {
                    let first = index * channels
                    let value = colour ? max(pixels[first], pixels[first + 1], pixels[first + 2]) : pixels[first]
                    gray[index] = value
                    brightest = max(brightest, value)
                }
            }
        }
        // Only lossless files (PNG, TIFF) can hold exactly 0 and 1; a JPEG's 1s are noise around 0.
        let threshold: UInt8 = format != .jpeg && brightest == 1 ? 0 : 127
        for index in gray.indices { gray[index] = gray[index] > threshold ? 1 : 0 }
        return try LabelMask(width: image.width, height: image.height, values: gray)
    }
}
