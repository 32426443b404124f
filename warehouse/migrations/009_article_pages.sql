-- Version 9: raw pages leave the articles table. DuckDB's checkpoint rewrites the row group a
-- batch appends to, so every stored page was rewritten on each load (+500 MB at 750 articles).
-- Pages now live in gzip files beside the warehouse, listed here; the pages held inline are
-- moved into `html` and written out to files by the first writable connection.

CREATE TABLE IF NOT EXISTS article_pages (
    article_id VARCHAR PRIMARY KEY,
    path VARCHAR,
    html VARCHAR
);
INSERT INTO article_pages
    SELECT article_id, NULL, raw_html FROM articles WHERE raw_html IS NOT NULL
    ON CONFLICT (article_id) DO NOTHING;
ALTER TABLE articles DROP COLUMN raw_html;
COMMENT ON TABLE article_pages IS 'Raw page of an article, written once; removed by claimwatch prune';
COMMENT ON COLUMN article_pages.article_id IS 'The article (articles.article_id)';
COMMENT ON COLUMN article_pages.path IS 'gzip file in the <warehouse>.pages folder beside the warehouse file';
COMMENT ON COLUMN article_pages.html IS 'Page held inline: moved from articles.raw_html until written out, or an in-memory warehouse';
