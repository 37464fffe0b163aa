import Foundation
import GRDB

/// What the server's browse pages read: image lists, one image's record, duplicate groups, change pairs and the
/// files behind them. Read-only; every query is a named method here, so no module above storage writes SQL.
extension CorpusTransaction {
    /// The columns of a ``BrowseImage`` (alias `i` for image, `d` for dataset).
    private static let imageColumns = """
        i.id, d.name, i.split, i.path, i.width, i.height, i.duplicate_of,
        (SELECT c.text FROM caption c WHERE c.image_id = i.id
         ORDER BY CASE c.source WHEN 'human' THEN 0 WHEN 'b2c' THEN 1 WHEN 'change' THEN 2 ELSE 3 END, c.id LIMIT 1)
        """

    private static func browseImage(_ row: Row, from start: Int = 0) -> BrowseImage {
        BrowseImage(id: row[start], dataset: row[start + 1], split: row[start + 2], path: row[start + 3],
                    width: row[start + 4], height: row[start + 5], duplicateOf: row[start + 6], caption: row[start + 7])
    }

    /// Images of a dataset (all when nil), optionally of one split and having an object of one class, by id.
    public func browseImages(dataset: String?, split: String?, className: String?, offset: Int,
                             limit: Int) throws -> BrowsePage<BrowseImage> {
        try BrowseLimits.check(offset: offset, limit: limit)
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let dataset {
            _ = try requireDataset(dataset)
            conditions.append("d.name = ?")
            arguments.append(dataset)
        }
        if let split {
            conditions.append("i.split = ?")
            arguments.append(split)
        }
        if let className {
            conditions.append("EXISTS (SELECT 1 FROM object o WHERE o.image_id = i.id AND o.class = ?)")
            arguments.append(className)
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let from = "FROM image i JOIN dataset d ON d.id = i.dataset_id \(whereClause)"
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(from)", arguments: StatementArguments(arguments)) ?? 0
        let rows = try Row.fetchAll(db, sql: "SELECT \(Self.imageColumns) \(from) ORDER BY i.id LIMIT ? OFFSET ?",
                                    arguments: StatementArguments(arguments + [limit, offset]))
        return BrowsePage(items: rows.map { Self.browseImage($0) }, total: total, offset: offset, limit: limit)
    }

    /// The images with these ids, by id (unknown ids are absent).
    public func browseImages(ids: [Int64]) throws -> [Int64: BrowseImage] {
        var result: [Int64: BrowseImage] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(ids.count, start + 500)])
            let marks = chunk.map { _ in "?" }.joined(separator: ", ")
            for row in try Row.fetchAll(db, sql: """
                SELECT \(Self.imageColumns) FROM image i JOIN dataset d ON d.id = i.dataset_id WHERE i.id IN (\(marks))
                """, arguments: StatementArguments(chunk)) {
                let image = Self.browseImage(row)
                result[image.id] = image
            }
        }
        return result
    }

    /// One image's full record, or nil for an unknown id.
    public func imageDetail(id: Int64) throws -> ImageDetail? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT \(Self.imageColumns), i.phash, i.unreadable, i.dataset_id
            FROM image i JOIN dataset d ON d.id = i.dataset_id WHERE i.id = ?
            """, arguments: [id]) else { return nil }
        let image = Self.browseImage(row)
        let phash: Int64? = row[8]
        let objects = try Row.fetchAll(db, sql: """
            SELECT id, class, raw_class, x, y, w, h, rotated, polygon, source, difficult FROM object
            WHERE image_id = ? ORDER BY id
            """, arguments: [id]).map { row in
            BrowseObject(id: row[0], className: row[1], rawClass: row[2], box: [row[3], row[4], row[5], row[6]],
                         rotated: Self.decodeJSON(BrowseRotatedBox.self, row[7]),
                         polygon: Self.decodeJSON([[Double]].self, row[8]),
                         source: ObjectSource(rawValue: row[9]) ?? .annotation, difficult: (row[10] as Int64) != 0)
        }
        let captions = try Row.fetchAll(db, sql: "SELECT id, text, source, rule FROM caption WHERE image_id = ? ORDER BY id",
                                        arguments: [id]).map { row in
            BrowseCaption(id: row[0], text: row[1], source: CaptionSource(rawValue: row[2]) ?? .human, rule: row[3])
        }
        let classes = Set(objects.map(\.className))
        let prompts = try Row.fetchAll(db, sql: """
            SELECT id, template_set, class, text, image_id FROM prompt
            WHERE image_id = ? OR (image_id IS NULL AND dataset_id = ?) ORDER BY id
            """, arguments: [id, row[10] as Int64]).compactMap { row -> BrowsePrompt? in
            let prompt = BrowsePrompt(id: row[0], templateSet: row[1], className: row[2], text: row[3])
            // A dataset-level prompt belongs to this image when it names no class or a class the image shows.
            let ownImage: Int64? = row[4]
            if ownImage == nil, let name = prompt.className, !classes.contains(name) { return nil }
            return prompt
        }
        let masks = try Row.fetchAll(db, sql: "SELECT path, palette FROM mask WHERE image_id = ? ORDER BY id",
                                     arguments: [id]).map { BrowseMask(path: $0[0], palette: $0[1]) }
        let kept = image.duplicateOf ?? id
        let group = try duplicateGroup(kept: kept)
        let pairs = try Int64.fetchAll(db, sql: """
            SELECT id FROM change_pair WHERE before_image_id = ? OR after_image_id = ? ORDER BY id
            """, arguments: [id, id])
        return ImageDetail(image: image, phash: phash.map { String(UInt64(bitPattern: $0), radix: 16) },
                           unreadable: row[9], objects: objects, captions: captions, prompts: prompts, masks: masks,
                           duplicateGroup: group, changePairs: pairs)
    }

    /// The duplicate groups dedup marked, by kept image id.
    public func duplicateGroups(offset: Int, limit: Int) throws -> BrowsePage<DuplicateGroup> {
        try BrowseLimits.check(offset: offset, limit: limit)
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT duplicate_of) FROM image WHERE duplicate_of IS NOT NULL") ?? 0
        let kept = try Int64.fetchAll(db, sql: """
            SELECT DISTINCT duplicate_of FROM image WHERE duplicate_of IS NOT NULL ORDER BY duplicate_of LIMIT ? OFFSET ?
            """, arguments: [limit, offset])
        return BrowsePage(items: try kept.compactMap { try duplicateGroup(kept: $0) }, total: total, offset: offset,
                          limit: limit)
    }

    /// The group of the kept image `kept`, or nil when nothing is marked as its duplicate.
    public func duplicateGroup(kept: Int64) throws -> DuplicateGroup? {
        let hashes = Dictionary(try Row.fetchAll(db, sql: """
            SELECT id, phash FROM image WHERE (id = ? OR duplicate_of = ?) AND phash IS NOT NULL
            """, arguments: [kept, kept]).map { ($0[0] as Int64, $0[1] as Int64) }, uniquingKeysWith: { first, _ in first })
        let members = try Int64.fetchAll(db, sql: "SELECT id FROM image WHERE duplicate_of = ? ORDER BY id", arguments: [kept])
        guard !members.isEmpty else { return nil }
        let images = try browseImages(ids: [kept] + members)
        guard let keptImage = images[kept] else { return nil }
        return DuplicateGroup(kept: keptImage, duplicates: members.compactMap { id in
            images[id].map { image in
                let distance = hashes[id].flatMap { own in hashes[kept].map { ((own ^ $0).nonzeroBitCount) } }
                return DuplicateGroup.Member(image: image, hamming: distance)
            }
        })
    }

    /// Change pairs of a dataset (all when nil), by id.
    public func browseChangePairs(dataset: String?, offset: Int, limit: Int) throws -> BrowsePage<ChangePairDetail> {
        try BrowseLimits.check(offset: offset, limit: limit)
        var datasetId: Int64? = nil
        if let dataset { datasetId = try requireDataset(dataset).id }
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM change_pair WHERE ?1 IS NULL OR dataset_id = ?1",
                                     arguments: [datasetId]) ?? 0
        let ids = try Int64.fetchAll(db, sql: """
            SELECT id FROM change_pair WHERE ?1 IS NULL OR dataset_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3
            """, arguments: [datasetId, limit, offset])
        return BrowsePage(items: try ids.compactMap { try changePair(id: $0) }, total: total, offset: offset, limit: limit)
    }

    /// One change pair, or nil for an unknown id.
    public func changePair(id: Int64) throws -> ChangePairDetail? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT p.id, d.name, p.split, p.before_image_id, p.after_image_id, p.label_path IS NOT NULL
            FROM change_pair p JOIN dataset d ON d.id = p.dataset_id WHERE p.id = ?
            """, arguments: [id]) else { return nil }
        let before: Int64 = row[3], after: Int64 = row[4]
        let images = try browseImages(ids: [before, after])
        guard let beforeImage = images[before], let afterImage = images[after] else { return nil }
        let sentences = try String.fetchAll(db, sql: """
            SELECT text FROM caption WHERE image_id = ? AND source = 'change' ORDER BY id
            """, arguments: [after])
        return ChangePairDetail(id: row[0], dataset: row[1], split: row[2], before: beforeImage, after: afterImage,
                                hasMask: row[5], sentences: sentences)
    }

    /// The file of an image, or nil for an unknown id.
    public func imageFile(id: Int64) throws -> StoredFile? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT r.path, i.path, i.dataset_id FROM image i JOIN dataset_root r ON r.id = i.root_id WHERE i.id = ?
            """, arguments: [id]) else { return nil }
        return StoredFile(path: CorpusPaths.file(row[1], root: row[0]), roots: try rootPaths(dataset: row[2]))
    }

    /// The registered masks of an image, as files with their palettes.
    public func maskFiles(image id: Int64) throws -> [(file: StoredFile, palette: String)] {
        try Row.fetchAll(db, sql: """
            SELECT r.path, m.path, m.palette, i.dataset_id FROM mask m JOIN image i ON i.id = m.image_id
            JOIN dataset_root r ON r.id = i.root_id WHERE m.image_id = ? ORDER BY m.id
            """, arguments: [id]).map { row in
            (StoredFile(path: CorpusPaths.file(row[1], root: row[0]), roots: try rootPaths(dataset: row[3])), row[2])
        }
    }

    /// The binary change mask of a pair (relative to its after image's root), or nil when it has none or the id
    /// is unknown.
    public func changeMaskFile(pair id: Int64) throws -> StoredFile? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT r.path, p.label_path, p.dataset_id FROM change_pair p JOIN image b ON b.id = p.after_image_id
            JOIN dataset_root r ON r.id = b.root_id WHERE p.id = ? AND p.label_path IS NOT NULL
            """, arguments: [id]) else { return nil }
        return StoredFile(path: CorpusPaths.file(row[1], root: row[0]), roots: try rootPaths(dataset: row[2]))
    }

    private func rootPaths(dataset: Int64) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT path FROM dataset_root WHERE dataset_id = ? AND path != '' ORDER BY id",
                            arguments: [dataset])
    }

    private static func decodeJSON<Value: Decodable>(_ type: Value.Type, _ text: String?) -> Value? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }
}
