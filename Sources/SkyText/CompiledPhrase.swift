/// A template split once into literal text and slots, so filling it is a few appends (no searching).
struct CompiledPhrase: Sendable, Hashable {
    enum Piece: Sendable, Hashable {
        case literal(String)
        case slot(String)
    }

    let pieces: [Piece]

    /// Splits `text` at every `{name}` whose name is in `slots`; other braces stay literal.
    init(_ text: String, slots: Set<String>) {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            if slots.contains(name) {
                literal += rest[..<open]
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = ""
                pieces.append(.slot(name))
            } else {
                literal += rest[...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    /// The text with each slot replaced by `value(name)`.
    func fill(into output: inout String, _ value: (String) -> String) {
        for piece in pieces {
            switch piece {
            case .literal(let text): output += text
            case .slot(let name): output += value(name)
            }
        }
    }
}
