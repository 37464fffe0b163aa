/// The padded-image Suzuki scanner behind ``Contours``, following OpenCV's `contours_new.cpp` step for step
/// (same marks, same parent search, same tree), so that the output order and hierarchy match bit for bit.
struct SuzukiScanner {
    /// One traced border and its place in the tree (OpenCV's `TreeNode<Contour>`).
    struct Node {
        var parent = -1
        var firstChild = -1
        var previous = -1
        var next = -1
        /// The next node with the same mark value (OpenCV's `ctable` chain).
        var sameMarkNext = -1
        var isHole: Bool
        /// Start pixel in padded coordinates.
        var originX = 0
        var originY = 0
        /// Bounding rectangle in padded coordinates.
        var rectX = 0, rectY = 0, rectWidth = 0, rectHeight = 0
        var points: [PixelPoint] = []
    }

    /// Mark bits, as OpenCV's `MASK8_*`: a traced pixel holds `nbd` or `nbd | 0x80` ("right" border pixel).
    static let rightFlag: Int8 = -128
    static let newMark: Int8 = 2

    let mode: ContourRetrieval
    let keepAllPoints: Bool
    let paddedWidth: Int
    let paddedHeight: Int
    /// The mask with a zero frame: 0 background, 1 untouched foreground, other values marks. Owned by the
    /// scanner's user, who calls ``release()`` (a raw buffer keeps the hot loops free of copy-on-write checks).
    let image: UnsafeMutablePointer<Int8>
    var nodes: [Node]
    var markTable = [Int](repeating: -1, count: 128)
    var nbd: Int8 = 2
    let deltas: [Int]

    /// Prepares the scan of the pixels of `mask` that are nonzero, or equal to `value` when given.
    init(mask: LabelMask, value: UInt8? = nil, mode: ContourRetrieval, approximation: ContourApproximation) {
        self.mode = mode
        keepAllPoints = approximation == .none
        paddedWidth = mask.width + 2
        paddedHeight = mask.height + 2
        let count = paddedWidth * paddedHeight
        image = .allocate(capacity: count)
        image.initialize(repeating: 0, count: count)
        let width = mask.width, stride = paddedWidth, image = self.image
        mask.values.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            for y in 0..<mask.height {
                Self.binarise(base + y * width, into: image + (y + 1) * stride + 1, count: width, value: value)
            }
        }
        deltas = [1, 1 - stride, -stride, -1 - stride, -1, -1 + stride, stride, 1 + stride]
        var root = Node(isHole: true)
        root.rectWidth = paddedWidth
        root.rectHeight = paddedHeight
        nodes = [root]
    }

    /// Writes 1 for foreground and 0 for background: pixels equal to `value`, or nonzero ones.
    @inline(__always)
    private static func binarise(_ source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Int8>, count: Int,
                                 value: UInt8?) {
        if let value {
            for x in 0..<count { target[x] = Int8(truncatingIfNeeded: source[x] == value ? 1 : 0) }
        } else {
            for x in 0..<count { target[x] = Int8(truncatingIfNeeded: source[x] != 0 ? 1 : 0) }
        }
    }

    /// Frees the padded image.
    func release() {
        image.deallocate()
    }

    /// Chain code moves, as OpenCV's `chainCodeDeltas`: E, NE, N, NW, W, SW, S, SE with y pointing down.
    static let moveX: [Int32] = [1, 1, 0, -1, -1, -1, 0, 1]
    static let moveY: [Int32] = [0, -1, -1, -1, 0, 1, 1, 1]

    var isSimpleMode: Bool { mode == .external || mode == .list }

    // MARK: Raster scan

    /// Runs the raster scan to the end (OpenCV's repeated `findNext`).
    mutating func scanAll() {
        let width = paddedWidth - 1, height = paddedHeight - 1
        var lastX = 0
        var y = 1
        while y < height {
            let row = y * paddedWidth
            var x = 1
            var previous = Int(image[row])
            lastX = 0
            while x < width {
                var current = Int(image[row + x])
                while x < width {
                    // Eight unchanged pixels at a time: no border can start among them.
                    if x + 8 <= width
                        && UnsafeRawPointer(image + row + x).loadUnaligned(as: UInt64.self)
                            == UnsafeRawPointer(image + row + x - 1).loadUnaligned(as: UInt64.self)
                        && Int(image[row + x - 1]) == previous {
                        x += 8
                        continue
                    }
                    current = Int(image[row + x])
                    if current != previous { break }
                    x += 1
                }
                if x >= width { break }
                if startContour(previous: previous, current: current, lastX: &lastX, x: x, y: y) {
                    x += 1
                    previous = Int(image[row + x - 1])
                    continue
                }
                previous = current
                if previous & -2 != 0 { lastX = x }
                x += 1
            }
            y += 1
        }
    }

    /// OpenCV's `contourScan`: decides whether a border starts at (x, y) and traces it.
    private mutating func startContour(previous: Int, current: Int, lastX: inout Int, x: Int, y: Int) -> Bool {
        var isHole = false
        if !(previous == 0 && current == 1) {
            if current != 0 || previous < 1 { return false }
            if previous & -2 != 0 { lastX = x - 1 }
            isHole = true
        }
        if mode == .external && (isHole || image[y * paddedWidth + lastX] > 0) { return false }

        var mainParent = 0
        if !(isSimpleMode || (!isHole && mode == .ccomp) || lastX <= 0) {
            let markValue = Int(image[y * paddedWidth + lastX]) & 0x7F
            mainParent = firstBoundingContour(lastX: lastX, y: y, markValue: markValue)
            if mainParent < 0 { mainParent = 0 }
            if nodes[mainParent].isHole == isHole {
                mainParent = nodes[mainParent].parent != -1 ? nodes[mainParent].parent : 0
            }
        }
        lastX = x - (isHole ? 1 : 0)
        let index = makeContour(isHole: isHole, x: x, y: y)
        addChild(parent: mainParent, child: index)
        return true
    }

    private mutating func makeContour(isHole: Bool, x: Int, y: Int) -> Int {
        let startX = x - (isHole ? 1 : 0)
        var node = Node(isHole: isHole)
        node.originX = startX
        node.originY = y
        let index = nodes.count
        if isSimpleMode {
            trace(node: &node, mark: Self.newMark)
        } else {
            let mark = nbd
            nbd = (nbd &+ 1) & 0x7F
            if nbd == 0 { nbd = 3 }
            trace(node: &node, mark: mark)
            node.sameMarkNext = markTable[Int(mark)]
            markTable[Int(mark)] = index
        }
        nodes.append(node)
        return index
    }

    /// OpenCV's `Tree::addChild`: the new node becomes the parent's first child (siblings are prepended).
    private mutating func addChild(parent: Int, child: Int) {
        let oldFirst = nodes[parent].firstChild
        if oldFirst != -1 {
            nodes[oldFirst].previous = child
            nodes[child].next = oldFirst
        }
        nodes[parent].firstChild = child
        nodes[child].parent = parent
        nodes[child].previous = -1
    }

    /// OpenCV's `findFirstBoundingContour`: walks the contours carrying the same mark value.
    private func firstBoundingContour(lastX: Int, y: Int, markValue: Int) -> Int {
        var result = -1
        var current = markTable[markValue]
        while current != -1 {
            let node = nodes[current]
            // Signed comparisons, as in contours_new.cpp (the legacy code used unsigned ones).
            if lastX - node.rectX < node.rectWidth && y - node.rectY < node.rectHeight {
                if result != -1 {
                    let candidate = nodes[result]
                    if traceReaches(startX: candidate.originX, startY: candidate.originY,
                                    end: y * paddedWidth + lastX, isHole: candidate.isHole) {
                        break
                    }
                }
                result = current
            }
            current = node.sameMarkNext
        }
        return result
    }

    // MARK: Results

    /// The contours in OpenCV's depth-first order with `[next, previous, first_child, parent]` links.
    func results() -> ContourSet {
        guard nodes.count > 1 else { return ContourSet(contours: [], hierarchy: [], isHole: []) }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        var stack = [0]
        while let index = stack.popLast() {
            order.append(index)
            var child = nodes[index].firstChild
            var siblings: [Int] = []
            while child != -1 {
                siblings.append(child)
                child = nodes[child].next
            }
            stack.append(contentsOf: siblings.reversed())
        }
        var mapping = [Int](repeating: -1, count: nodes.count + 1)
        var output = 0
        for index in order where index != 0 {
            mapping[index + 1] = output
            output += 1
        }
        var contours: [[PixelPoint]] = []
        var links: [ContourLink] = []
        var holes: [Bool] = []
        for index in order where index != 0 {
            let node = nodes[index]
            contours.append(node.points)
            holes.append(node.isHole)
            links.append(ContourLink(next: mapping[node.next + 1], previous: mapping[node.previous + 1],
                                     firstChild: mapping[node.firstChild + 1], parent: mapping[node.parent + 1]))
        }
        return ContourSet(contours: contours, hierarchy: links, isHole: holes)
    }
}
