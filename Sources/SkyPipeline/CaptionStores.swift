import SkyText

extension B2CCaptionStore {
    /// The store with the bundled phrasings and class table: what `skycorpus caption` and `skycorpus build` use.
    public static func standard(options: B2COptions, seed: UInt64) throws -> B2CCaptionStore {
        let phrasings = try CaptionPhrasings.standard()
        return B2CCaptionStore(generator: try B2CGenerator(phrasings: phrasings, options: options),
                               naming: RuleBasedClassNaming(phrasings: phrasings, table: .standard), seed: seed)
    }
}

extension ChangeSentenceStore {
    /// The store with the bundled change phrasings and class names: what `caption --changes` and `build` use.
    public static func standard(perPair: Int, seed: UInt64) throws -> ChangeSentenceStore {
        let generator = try ChangeSentenceGenerator(phrasings: try ChangePhrasings.standard(), perPair: perPair)
        let naming = RuleBasedClassNaming(phrasings: try CaptionPhrasings.standard(), table: .standard)
        return ChangeSentenceStore(generator: generator, naming: naming, seed: seed)
    }
}
