-- Groups name an IAM role (RoleArn) that identity pools can hand their members, as in Cognito.
ALTER TABLE user_groups ADD COLUMN role_arn text CHECK (role_arn ~ '^arn:[^:]+:[^:]+:[^:]*:[0-9]*:.+$');
