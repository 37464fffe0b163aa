import SkyImaging

extension LabelMask {
    /// Reads a mask file. Index PNGs (gray, or palette indices) give their values as class indices; RGB(A)
    /// colour masks are mapped through `palette`, which they need.
    public static func load(path: String, palette: Palette? = nil, unknownColours: UnknownColourPolicy = .fail,
                            decoder: ImageDecoder = ImageDecoder()) throws(GeometryError) -> LabelMask {
        do {
            let header = try decoder.header(ofFile: path)
            if header.isPalette || header.sourceChannels <= 2 {
                let indexed = try decoder.decodeIndexed(file: path)
                return try LabelMask(width: indexed.width, height: indexed.height, values: indexed.indices)
            }
            guard let palette else {
                throw GeometryError.unsupportedMask(
                    path: path, reason: "a \(header.sourceChannels)-channel colour mask needs a palette")
            }
            let image = try decoder.decode(file: path)
            return try palette.labelMask(from: image, path: path, unknownColours: unknownColours)
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
