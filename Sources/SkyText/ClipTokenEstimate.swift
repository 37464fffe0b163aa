/// A cautious estimate of how many CLIP BPE tokens a caption takes.
///
/// The real tokenizer lives with the encoders; B2C only needs to stay well inside the 77-token context.
/// CLIP's pre-tokenizer splits every digit and every punctuation mark into its own piece; common English
/// words are one token each. The estimate counts one token per digit and per punctuation mark, one per word
/// of up to six letters and one per four letters beyond that (rare long words split into several pieces),
/// plus the start and end tokens. It over-counts common words, so a caption under the limit here is under it
/// for the real tokenizer too, for the vocabulary B2C writes.
public enum ClipTokenEstimate {
    /// The estimated token count of `text`, start and end tokens included.
    public static func count(_ text: String) -> Int {
        var tokens = 2
        var letters = 0
        for byte in text.utf8 {
            // ASCII letters, and every byte of a non-ASCII character, count as letters of a word.
            if (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || byte >= 0x80 {
                letters += 1
                continue
            }
            if letters > 0 { tokens += 1 + max(0, (letters - 6 + 3) / 4) }
            letters = 0
            // Digits and punctuation are pieces of their own; spaces and control characters are not.
            if byte > 0x20 && byte < 0x7f { tokens += 1 }
        }
        if letters > 0 { tokens += 1 + max(0, (letters - 6 + 3) / 4) }
        return tokens
    }
}
