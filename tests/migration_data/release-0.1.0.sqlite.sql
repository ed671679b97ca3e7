-- The schema release 0.1.0 (git 77e83ef) created, for sqlite: Base.metadata.create_all's DDL,
-- generated from that release's api/storage.py. It predates migrations (no alembic_version).

CREATE TABLE events (
	id VARCHAR(32) NOT NULL,
	name VARCHAR NOT NULL,
	timezone VARCHAR NOT NULL,
	organiser_token_hash VARCHAR(64) NOT NULL,
	event_toml BLOB NOT NULL,
	participants_csv BLOB NOT NULL,
	wishes_csv BLOB NOT NULL,
	warnings JSON NOT NULL,
	created_at DATETIME NOT NULL,
	revision INTEGER DEFAULT '1' NOT NULL,
	PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_events_organiser_token_hash ON events (organiser_token_hash);

CREATE TABLE secrets (
	name VARCHAR(64) NOT NULL,
	value VARCHAR(200) NOT NULL,
	PRIMARY KEY (name)
);

CREATE TABLE jobs (
	id VARCHAR(32) NOT NULL,
	event_id VARCHAR(32) NOT NULL,
	state VARCHAR(16) NOT NULL,
	time_limit FLOAT NOT NULL,
	options JSON DEFAULT '{}' NOT NULL,
	progress JSON NOT NULL,
	error TEXT,
	cancel_requested BOOLEAN NOT NULL,
	schedule_version INTEGER,
	submitted_at DATETIME NOT NULL,
	started_at DATETIME,
	finished_at DATETIME,
	heartbeat_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(event_id) REFERENCES events (id) ON DELETE CASCADE
);

CREATE INDEX ix_jobs_event_id ON jobs (event_id);
CREATE INDEX ix_jobs_state ON jobs (state);

CREATE TABLE participants (
	id INTEGER NOT NULL,
	event_id VARCHAR(32) NOT NULL,
	pid VARCHAR(200) NOT NULL,
	position INTEGER NOT NULL,
	name VARCHAR NOT NULL,
	organisation VARCHAR NOT NULL,
	email VARCHAR NOT NULL,
	role VARCHAR NOT NULL,
	country VARCHAR NOT NULL,
	status VARCHAR(32) NOT NULL,
	link_version INTEGER NOT NULL,
	token_digest VARCHAR(64) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (event_id, pid),
	FOREIGN KEY(event_id) REFERENCES events (id) ON DELETE CASCADE
);

CREATE INDEX ix_participants_event_id ON participants (event_id);
CREATE UNIQUE INDEX ix_participants_token_digest ON participants (token_digest);

CREATE TABLE schedules (
	id INTEGER NOT NULL,
	event_id VARCHAR(32) NOT NULL,
	version INTEGER NOT NULL,
	job_id VARCHAR(32),
	csv TEXT NOT NULL,
	bound BIGINT,
	optimal BOOLEAN NOT NULL,
	seconds FLOAT NOT NULL,
	result JSON NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (event_id, version),
	FOREIGN KEY(event_id) REFERENCES events (id) ON DELETE CASCADE
);

CREATE INDEX ix_schedules_event_id ON schedules (event_id);

CREATE TABLE wishes (
	id INTEGER NOT NULL,
	event_id VARCHAR(32) NOT NULL,
	requester VARCHAR(200) NOT NULL,
	target VARCHAR(200) NOT NULL,
	priority INTEGER NOT NULL,
	status VARCHAR(16) DEFAULT 'requested' NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(event_id) REFERENCES events (id) ON DELETE CASCADE
);

CREATE INDEX ix_wishes_event_id ON wishes (event_id);
