-- Rows as written by schema version 1: one complete audit of two units,
-- scored once, with two findings. Frozen: when the schema changes, add a
-- fixture for the new version and keep this one, so that opening a
-- version-1 database stays tested.
INSERT INTO audits (id, started_at, finished_at, as_of, status, ruleset_name, ruleset_version,
	ruleset_hash, units_file, note)
VALUES (1, '2020-03-01T02:00:00.000000000Z', '2020-03-01T02:40:00.000000000Z', '2020-03-01',
	'complete', '默认规则', '2026.1', 'abc123', 'units.yaml', 'fixture');

INSERT INTO units (audit_id, unit_id, pos, name, name_en, type, url, contact) VALUES
	(1, 'finance', 0, '区财政局', 'District Finance Bureau', 'bureau', 'http://127.0.0.1:8101/', '张三'),
	(1, 'town-a', 1, '甲镇', '', 'township', 'http://127.0.0.1:8102/', '');

INSERT INTO scorings (id, audit_id, created_at, as_of, ruleset_name, ruleset_version, ruleset_hash,
	window_from, window_to)
VALUES (1, 1, '2020-03-01T02:41:00.000000000Z', '2020-03-01', '默认规则', '2026.1', 'abc123',
	'2019-03-01', '2020-02-29');

INSERT INTO scores (scoring_id, unit_id, unit_name, unit_type, total, deducted, veto, veto_reasons,
	grade, rank, dimensions, findings_by_severity) VALUES
	(1, 'finance', '区财政局', 'bureau', 96, 4, 0, 'null', '优秀', 1,
		'[{"id":"completeness","name":"完整性","score":36,"max":40,"deducted":4}]', '{"deduction":1}'),
	(1, 'town-a', '甲镇', 'township', 0, 100, 1, '["网站无法访问"]', '不合格', 2,
		'[{"id":"completeness","name":"完整性","score":40,"max":40,"deducted":0}]', '{"veto":1}');

INSERT INTO findings (id, scoring_id, unit_id, unit_name, kind, rule, column_id, subject, severity,
	points, nominal, url, detail, basis, dimension, indicator, evidence, fingerprint, first_seen, status)
VALUES
	(7, 1, 'finance', '区财政局', 'column.stale', 'news-age', 'news', '', 'deduction', 4, 4,
		'http://127.0.0.1:8101/gzdt/', '最新一条发布于2019-11-02', '', 'timeliness', 'news',
		'[{"url":"http://127.0.0.1:8101/gzdt/","fetched_at":"2020-03-01T02:10:00Z","status":200,"class":"ok"}]',
		'finance|column.stale|news|', '2020-03-01', 'new'),
	(8, 1, 'town-a', '甲镇', 'site.unreachable', 'reachable', '', '', 'veto', 0, 0,
		'http://127.0.0.1:8102/', '无法访问', '', '', '', 'null',
		'town-a|site.unreachable||', '2020-03-01', 'new');
