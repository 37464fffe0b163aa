-- SkyCorpus corpus schema.
--
-- This file is the one readable definition of the corpus. The store applies it through versioned
-- migrations: each section that starts with a line `-- migration: NAME` is one migration, applied
-- once, in file order, inside one transaction. Never edit a section that has shipped; append a new one.

-- migration: v1-foundation

-- A dataset as registered or ingested: its name, where its files live, how it was read.
CREATE TABLE dataset (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    root        TEXT,                       -- absolute path of the dataset root
    format      TEXT,                       -- annotation format it was ingested from
    priority    INTEGER NOT NULL DEFAULT 0, -- dedup keeps the image of the higher priority
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- An image file of a dataset.
CREATE TABLE image (
    id            INTEGER PRIMARY KEY,
    dataset_id    INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    path          TEXT NOT NULL,            -- relative to the dataset root, '/' separated
    split         TEXT,                     -- train, val, test, ... or NULL when unknown
    width         INTEGER,
    height        INTEGER,
    content_hash  TEXT,                     -- SHA-256 of the file bytes, 64 hex digits
    phash         INTEGER,                  -- 64-bit perceptual hash, imagehash bit order, as a signed integer
    duplicate_of  INTEGER REFERENCES image(id) ON DELETE SET NULL,
    UNIQUE (dataset_id, path)
);
CREATE INDEX image_split ON image(dataset_id, split);
CREATE INDEX image_content_hash ON image(content_hash);

-- A segmentation mask registered for M2B, with the palette that decodes it.
CREATE TABLE mask (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES image(id) ON DELETE CASCADE,
    path      TEXT NOT NULL,                -- relative to the dataset root
    palette   TEXT NOT NULL,                -- a file name under Schemas/palettes/, without .json
    UNIQUE (image_id, path)
);

-- An object on an image: from the dataset's annotation or from M2B over a mask.
CREATE TABLE object (
    id         INTEGER PRIMARY KEY,
    image_id   INTEGER NOT NULL REFERENCES image(id) ON DELETE CASCADE,
    class      TEXT NOT NULL,               -- clean English name (Schemas/classes/)
    raw_class  TEXT NOT NULL,               -- the name as the dataset spells it
    x          REAL NOT NULL,               -- axis-aligned box: left, top, width, height in pixels
    y          REAL NOT NULL,
    w          REAL NOT NULL,
    h          REAL NOT NULL,
    rotated    TEXT,                        -- JSON {"cx","cy","w","h","angle"} when known
    polygon    TEXT,                        -- JSON [[x, y], ...] when known
    source     TEXT NOT NULL CHECK (source IN ('annotation', 'm2b')),
    difficult  INTEGER NOT NULL DEFAULT 0 CHECK (difficult IN (0, 1)),
    ignore     INTEGER NOT NULL DEFAULT 0 CHECK (ignore IN (0, 1)),
    truncated  INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1))
);
CREATE INDEX object_image ON object(image_id);
CREATE INDEX object_class ON object(class);

-- A caption of an image.
CREATE TABLE caption (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES image(id) ON DELETE CASCADE,
    text      TEXT NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('b2c', 'human', 'prompt', 'change')),
    rule      TEXT                          -- the rule or template that made it (NULL for human captions)
);
CREATE INDEX caption_image ON caption(image_id, source);

-- Full-text search over caption text, kept in step by triggers.
CREATE VIRTUAL TABLE caption_fts USING fts5(text, content = 'caption', content_rowid = 'id');
CREATE TRIGGER caption_fts_insert AFTER INSERT ON caption BEGIN
    INSERT INTO caption_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER caption_fts_delete AFTER DELETE ON caption BEGIN
    INSERT INTO caption_fts(caption_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER caption_fts_update AFTER UPDATE OF text ON caption BEGIN
    INSERT INTO caption_fts(caption_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO caption_fts(rowid, text) VALUES (new.id, new.text);
END;

-- A change-detection pair: the same place at two times, with its change label(s).
CREATE TABLE change_pair (
    id               INTEGER PRIMARY KEY,
    dataset_id       INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    before_image_id  INTEGER NOT NULL REFERENCES image(id) ON DELETE CASCADE,
    after_image_id   INTEGER NOT NULL REFERENCES image(id) ON DELETE CASCADE,
    label_path       TEXT,                  -- binary change mask, relative to the dataset root
    label2_path      TEXT,                  -- SECOND: the semantic label of the second time
    split            TEXT,
    UNIQUE (before_image_id, after_image_id)
);

-- A text prompt for CLIP: a template applied to a class, per dataset or per image.
CREATE TABLE prompt (
    id            INTEGER PRIMARY KEY,
    dataset_id    INTEGER REFERENCES dataset(id) ON DELETE CASCADE,
    image_id      INTEGER REFERENCES image(id) ON DELETE CASCADE,
    template_set  TEXT NOT NULL,            -- a file name under Schemas/prompts/
    class         TEXT,
    text          TEXT NOT NULL,
    UNIQUE (dataset_id, image_id, template_set, class, text)
);

-- An encoder model whose embeddings the corpus holds.
CREATE TABLE encoder_model (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    architecture  TEXT NOT NULL,
    checksum      TEXT NOT NULL,            -- SHA-256 of the checkpoint file
    dimension     INTEGER NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- A normalised embedding of an image, a caption or a prompt: float32 little-endian.
CREATE TABLE embedding (
    model_id   INTEGER NOT NULL REFERENCES encoder_model(id) ON DELETE CASCADE,
    item_kind  TEXT NOT NULL CHECK (item_kind IN ('image', 'caption', 'prompt')),
    item_id    INTEGER NOT NULL,
    vector     BLOB NOT NULL,
    PRIMARY KEY (model_id, item_kind, item_id)
) WITHOUT ROWID;

-- migration: v2-roots-and-readability

-- A dataset may be read from several folders: a second download of the same dataset, a caption file kept
-- elsewhere, images registered first and annotated later. Every image path (and every mask and change-label
-- path of that image) is relative to the root it came from. Each dataset has at least one root; `dataset.root`
-- stays the first one.
CREATE TABLE dataset_root (
    id          INTEGER PRIMARY KEY,
    dataset_id  INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,              -- absolute path of the folder ('' for a dataset without files)
    UNIQUE (dataset_id, path)
);
INSERT INTO dataset_root (dataset_id, path) SELECT id, IFNULL(root, '') FROM dataset;

-- image, rebuilt: the root its path is relative to (the same relative path may exist under two roots), and why
-- it cannot be decoded when a step found that out (NULL: readable or not yet known). Exports leave such images out.
CREATE TABLE image_v2 (
    id            INTEGER PRIMARY KEY,
    dataset_id    INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    root_id       INTEGER NOT NULL REFERENCES dataset_root(id) ON DELETE CASCADE,
    path          TEXT NOT NULL,            -- relative to the root, '/' separated
    split         TEXT,
    width         INTEGER,
    height        INTEGER,
    content_hash  TEXT,
    phash         INTEGER,
    duplicate_of  INTEGER REFERENCES image(id) ON DELETE SET NULL,
    unreadable    TEXT,                     -- the decoder's reason, when the file cannot be decoded
    UNIQUE (dataset_id, root_id, path)
);
INSERT INTO image_v2 (id, dataset_id, root_id, path, split, width, height, content_hash, phash, duplicate_of)
    SELECT i.id, i.dataset_id, r.id, i.path, i.split, i.width, i.height, i.content_hash, i.phash, i.duplicate_of
    FROM image i JOIN dataset d ON d.id = i.dataset_id
    JOIN dataset_root r ON r.dataset_id = d.id AND r.path = IFNULL(d.root, '');
DROP TABLE image;
ALTER TABLE image_v2 RENAME TO image;
CREATE INDEX image_split ON image(dataset_id, split);
CREATE INDEX image_content_hash ON image(content_hash);
CREATE INDEX image_root ON image(root_id);

-- migration: v3-image-labels

-- caption, rebuilt: a 'zero-shot' source, captions made from zero-shot labels ("a satellite image of a harbor.");
-- the rule column names the model that labelled the image. Same columns and ids, so the full-text index stays valid.
CREATE TABLE caption_v3 (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES image(id) ON DELETE CASCADE,
    text      TEXT NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('b2c', 'human', 'prompt', 'change', 'zero-shot')),
    rule      TEXT
);
INSERT INTO caption_v3 (id, image_id, text, source, rule) SELECT id, image_id, text, source, rule FROM caption;
DROP TRIGGER caption_fts_insert;
DROP TRIGGER caption_fts_delete;
DROP TRIGGER caption_fts_update;
DROP TABLE caption;
ALTER TABLE caption_v3 RENAME TO caption;
CREATE INDEX caption_image ON caption(image_id, source);
CREATE TRIGGER caption_fts_insert AFTER INSERT ON caption BEGIN
    INSERT INTO caption_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER caption_fts_delete AFTER DELETE ON caption BEGIN
    INSERT INTO caption_fts(caption_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER caption_fts_update AFTER UPDATE OF text ON caption BEGIN
    INSERT INTO caption_fts(caption_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO caption_fts(rowid, text) VALUES (new.id, new.text);
END;

-- An image-level class: the dataset's own (scene-classification folders) or a model's zero-shot top-k.
CREATE TABLE image_label (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES image(id) ON DELETE CASCADE,
    class     TEXT NOT NULL,                -- clean English name (Schemas/classes/)
    raw_class TEXT,                         -- the name as the dataset spells it (ground truth)
    score     REAL NOT NULL,                -- 1 for ground truth, the softmax probability for zero-shot
    rank      INTEGER NOT NULL CHECK (rank >= 1),
    source    TEXT NOT NULL CHECK (source IN ('ground-truth', 'zero-shot')),
    model_id  INTEGER REFERENCES encoder_model(id) ON DELETE CASCADE,   -- the labelling model (zero-shot)
    templates TEXT,                         -- the template set of the zero-shot prompts
    CHECK ((source = 'zero-shot') = (model_id IS NOT NULL))
);
CREATE UNIQUE INDEX image_label_unique ON image_label(image_id, source, IFNULL(model_id, 0), rank);
CREATE INDEX image_label_class ON image_label(class);

-- One run of `skycorpus evaluate`: the task, what it ran on, its settings and its metrics (JSON objects).
CREATE TABLE evaluation (
    id          INTEGER PRIMARY KEY,
    task        TEXT NOT NULL CHECK (task IN ('retrieval', 'zero-shot', 'linear-probe', 'knn', 'few-shot', 'counting')),
    model_id    INTEGER NOT NULL REFERENCES encoder_model(id) ON DELETE CASCADE,
    dataset_id  INTEGER REFERENCES dataset(id) ON DELETE CASCADE,
    split       TEXT,
    settings    TEXT NOT NULL,              -- JSON: templates, k, seed, shots, C, ...
    metrics     TEXT NOT NULL,              -- JSON: accuracies, recalls, confusion matrix
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX evaluation_model ON evaluation(model_id, task);

-- A counting benchmark (RemoteCount style) made from a detection dataset's boxes.
CREATE TABLE counting_set (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    dataset_id  INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    min_count   INTEGER NOT NULL,
    max_count   INTEGER NOT NULL,
    template    TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- One image of a counting set: the counted class, its true count, and the candidate captions (JSON array, one per
-- count from min to max; the true one at index count - min).
CREATE TABLE counting_item (
    id        INTEGER PRIMARY KEY,
    set_id    INTEGER NOT NULL REFERENCES counting_set(id) ON DELETE CASCADE,
    image_id  INTEGER NOT NULL REFERENCES image(id) ON DELETE CASCADE,
    class     TEXT NOT NULL,
    count     INTEGER NOT NULL,
    captions  TEXT NOT NULL,
    UNIQUE (set_id, image_id)
);

-- migration: v4-object-parts-and-area

-- Multi-part outlines (a COCO `segmentation` with several polygons, one object of several rings) keep every ring:
-- JSON [[[x, y], ...], ...] in the dataset's order; `polygon` stays NULL for them. `area` is the segmentation's area
-- in pixels as the dataset's reference tool computes it (pycocotools for COCO polygons and RLE, the instance's pixel
-- count for iSAID instance masks); NULL when the format has no segmentation.
ALTER TABLE object ADD COLUMN polygon_parts TEXT;
ALTER TABLE object ADD COLUMN area REAL;

-- migration: v5-build-runs

-- `skycorpus build`: which recipe built the corpus, which of its stages are done, and (for shards and merges) which
-- part of the images it holds. A build refuses a corpus built from another recipe, skips finished stages, and
-- resumes at the first unfinished one.
CREATE TABLE build_recipe (
    id            INTEGER PRIMARY KEY CHECK (id = 1),  -- one row: a corpus is built from one recipe
    digest        TEXT NOT NULL,            -- SHA-256 of the recipe's canonical form (comments and layout do not count)
    path          TEXT NOT NULL,            -- the recipe file the first build read
    shard_index   INTEGER,                  -- K of --shard K/N (1-based); NULL for a whole build or a merge
    shard_count   INTEGER,                  -- N of --shard K/N; for a merge, the N of its shards
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- One invocation of `skycorpus build` (or `merge`) on this corpus.
CREATE TABLE build_run (
    id           INTEGER PRIMARY KEY,
    command      TEXT NOT NULL,             -- build, build --shard K/N, build --after-merge, merge
    started_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    finished_at  TEXT                       -- NULL while running, or when the run was killed
);

-- A finished stage: recorded right after the stage's own transaction, so a killed build re-runs at most the stage
-- it was in (every stage is idempotent).
CREATE TABLE build_stage (
    name         TEXT PRIMARY KEY,          -- ingest:DATASET:N, m2b, caption, changes, hash, embed, dedup, prompts, export:N
    run_id       INTEGER NOT NULL REFERENCES build_run(id),
    seconds      REAL NOT NULL,             -- wall time of the stage
    summary      TEXT NOT NULL,             -- the stage's summary as JSON
    finished_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Where an image first appears in the recipe: (ingest stage << 32) + its first record in the reader's output. A
-- whole build inserts images in this order, so a merge numbers the images of its shards by it and gives them the
-- ids the whole build gives.
CREATE TABLE build_image (
    image_id  INTEGER PRIMARY KEY REFERENCES image(id) ON DELETE CASCADE,
    ordinal   INTEGER NOT NULL
);

-- A shard merged into this corpus: merging it again adds nothing.
CREATE TABLE build_shard (
    shard_index  INTEGER NOT NULL,
    shard_count  INTEGER NOT NULL,
    source       TEXT NOT NULL,             -- the shard corpus's path when it was merged
    images       INTEGER NOT NULL,
    merged_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (shard_index, shard_count)
);

-- migration: v6-lookup-indexes

-- Lookups by path find their row through an index instead of walking every image of a root: the image a mask file
-- belongs to (`m2b MASK`, `imageListingMask`) by `mask.path`, and an image under a root (registration under a
-- dataset's other roots, `image(root:path:)`) by `(root_id, path)`, which also serves every `root_id` lookup the
-- old `image_root` index did.
CREATE INDEX mask_path ON mask(path);
CREATE INDEX image_root_path ON image(root_id, path);
DROP INDEX image_root;

-- migration: v7-embedding-precision

-- The arithmetic of the weight products that made a model's stored embeddings (`embed --precision`, the recipe's
-- `steps.embed.precision`): 'fp32' or 'bf16' (SkyCLIP's `Precision` raw values). One checkpoint's embeddings at two
-- precisions are different vectors, so a registered model holds one precision: `embed` at another one is refused
-- while the model has embeddings (register them under another name to keep both). Corpora embedded before this
-- column existed were embedded at fp32, the only precision there was, and read so.
ALTER TABLE encoder_model ADD COLUMN precision TEXT NOT NULL DEFAULT 'fp32';

-- migration: v8-embedding-changes

-- A change counter per (model, kind) of stored embeddings, kept by triggers, so that `serve` can tell in one row read
-- that the embeddings a saved index was built from are unchanged (`index build` records the counter in the index's
-- header; any insert, update or delete since moves it). `token` is random per counter row, so a corpus rebuilt from
-- scratch never repeats an old (token, changes) pair. Embeddings stored before this migration get a row at 0 here
-- (one scan of the table); indexes built before it carry no stamp and are checked by content.
CREATE TABLE embedding_changes (
    model_id   INTEGER NOT NULL,
    item_kind  TEXT NOT NULL,
    token      TEXT NOT NULL,
    changes    INTEGER NOT NULL,
    PRIMARY KEY (model_id, item_kind)
) WITHOUT ROWID;
INSERT INTO embedding_changes
    SELECT model_id, item_kind, lower(hex(randomblob(8))), 0 FROM embedding GROUP BY model_id, item_kind;
CREATE TRIGGER embedding_changes_insert AFTER INSERT ON embedding BEGIN
    INSERT INTO embedding_changes VALUES (NEW.model_id, NEW.item_kind, lower(hex(randomblob(8))), 1)
        ON CONFLICT (model_id, item_kind) DO UPDATE SET changes = changes + 1;
END;
CREATE TRIGGER embedding_changes_update AFTER UPDATE ON embedding BEGIN
    INSERT INTO embedding_changes VALUES (NEW.model_id, NEW.item_kind, lower(hex(randomblob(8))), 1)
        ON CONFLICT (model_id, item_kind) DO UPDATE SET changes = changes + 1;
    INSERT INTO embedding_changes VALUES (OLD.model_id, OLD.item_kind, lower(hex(randomblob(8))), 1)
        ON CONFLICT (model_id, item_kind) DO UPDATE SET changes = changes + 1;
END;
CREATE TRIGGER embedding_changes_delete AFTER DELETE ON embedding BEGIN
    INSERT INTO embedding_changes VALUES (OLD.model_id, OLD.item_kind, lower(hex(randomblob(8))), 1)
        ON CONFLICT (model_id, item_kind) DO UPDATE SET changes = changes + 1;
END;
