-- rcodebot schema as released with the 'installations' component at version 1 (postgresql).
-- Frozen: never edit. tests/stores/test_migrations.py builds a database from it and upgrades it.

CREATE TABLE rcodebot_schema (
	component VARCHAR(64) NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (component)
);
CREATE TABLE slack_bots (
	id SERIAL NOT NULL,
	client_id VARCHAR(32) NOT NULL,
	app_id VARCHAR(32) NOT NULL,
	enterprise_id VARCHAR(32),
	enterprise_name VARCHAR(200),
	team_id VARCHAR(32),
	team_name VARCHAR(200),
	bot_token VARCHAR(200),
	bot_id VARCHAR(32),
	bot_user_id VARCHAR(32),
	bot_scopes VARCHAR(1000),
	bot_refresh_token VARCHAR(200),
	bot_token_expires_at TIMESTAMP WITHOUT TIME ZONE,
	is_enterprise_install BOOLEAN NOT NULL,
	installed_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	PRIMARY KEY (id)
);
CREATE INDEX slack_bots_idx ON slack_bots (client_id, enterprise_id, team_id, installed_at);
CREATE TABLE slack_installations (
	id SERIAL NOT NULL,
	client_id VARCHAR(32) NOT NULL,
	app_id VARCHAR(32) NOT NULL,
	enterprise_id VARCHAR(32),
	enterprise_name VARCHAR(200),
	enterprise_url VARCHAR(200),
	team_id VARCHAR(32),
	team_name VARCHAR(200),
	bot_token VARCHAR(200),
	bot_id VARCHAR(32),
	bot_user_id VARCHAR(32),
	bot_scopes VARCHAR(1000),
	bot_refresh_token VARCHAR(200),
	bot_token_expires_at TIMESTAMP WITHOUT TIME ZONE,
	user_id VARCHAR(32) NOT NULL,
	user_token VARCHAR(200),
	user_scopes VARCHAR(1000),
	user_refresh_token VARCHAR(200),
	user_token_expires_at TIMESTAMP WITHOUT TIME ZONE,
	incoming_webhook_url VARCHAR(200),
	incoming_webhook_channel VARCHAR(200),
	incoming_webhook_channel_id VARCHAR(200),
	incoming_webhook_configuration_url VARCHAR(200),
	is_enterprise_install BOOLEAN NOT NULL,
	token_type VARCHAR(32),
	installed_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	PRIMARY KEY (id)
);
CREATE INDEX slack_installations_idx ON slack_installations (client_id, enterprise_id, team_id, user_id, installed_at);
CREATE TABLE slack_oauth_states (
	id SERIAL NOT NULL,
	state VARCHAR(200) NOT NULL,
	expire_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
	PRIMARY KEY (id)
);
INSERT INTO rcodebot_schema (component, version) VALUES ('installations', 1);
INSERT INTO slack_installations (client_id, app_id, enterprise_id, team_id, team_name, bot_token, bot_id, bot_user_id, bot_scopes, bot_refresh_token, bot_token_expires_at, user_id, is_enterprise_install, token_type, installed_at)
  VALUES ('111.222', 'A0RCODEBOT', NULL, 'T0OLD', 'Old Workspace', 'xoxb-old-workspace', 'B0OLD', 'U0OLDBOT', 'commands,chat:write', 'xoxe-1-old-refresh', '2030-01-01 00:00:00', 'U0INSTALLER', FALSE, 'bot', '2026-11-01 12:00:00');
INSERT INTO slack_bots (client_id, app_id, enterprise_id, team_id, team_name, bot_token, bot_id, bot_user_id, bot_scopes, bot_refresh_token, bot_token_expires_at, is_enterprise_install, installed_at)
  VALUES ('111.222', 'A0RCODEBOT', NULL, 'T0OLD', 'Old Workspace', 'xoxb-old-workspace', 'B0OLD', 'U0OLDBOT', 'commands,chat:write', 'xoxe-1-old-refresh', '2030-01-01 00:00:00', FALSE, '2026-11-01 12:00:00');
INSERT INTO slack_oauth_states (state, expire_at) VALUES ('old-state', '2026-11-01 12:10:00');
