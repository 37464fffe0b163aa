import SkyImaging

extension LabelMask {
    /// Reads a mask file: an index PNG (gray or palette indices) as is, or an RGB(A) colour mask through
    /// `palette`. With a palette, index PNGs are refused (their colours are not class colours).
    public static func load(path: String, palette: Palette? = nil, unknownColours: UnknownColourPolicy = .fail,
                            decoder: ImageDecoder = ImageDecoder()) throws(GeometryError) -> LabelMask {
        do {
            if let palette {
                let image = try decoder.decode(file: path)
                return try palette.labelMask(from: image, path: path, unknownColours: unknownColours)
            }
            let header = try decoder.header(ofFile: path)
            guard header.isPalette || header.sourceChannels <= 2 else {
                throw GeometryError.unsupportedMask(
                    path: path, reason: "a \(header.sourceChannels)-channel colour mask needs a palette (--palette)")
            }
            let indexed = try decoder.decodeIndexed(file: path)
            return try LabelMask(width: indexed.width, height: indexed.height, values: indexed.indices)
        } catch let error as GeometryError {
            throw error
        } catch let error as ImageError {
            throw .image(error)
        } catch {
            throw .unsupportedMask(path: path, reason: "\(error)")
        }
    }

    /// Throws unless this mask has the size of the image it annotates.
    public func requireSize(width imageWidth: Int, height imageHeight: Int, path: String) throws(GeometryError) {
        guard width == imageWidth, height == imageHeight else {
            throw .maskSizeMismatch(path: path, maskWidth: width, maskHeight: height,
                                    imageWidth: imageWidth, imageHeight: imageHeight)
        }
    }
}
