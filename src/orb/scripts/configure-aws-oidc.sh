# AWS credentials for the rest of the job from CircleCI's OIDC token: no long-lived keys.
# Writes the token to a file and exports the variables with which the AWS SDK's default credential
# chain calls sts:AssumeRoleWithWebIdentity by itself (and again when the credentials expire).
# CircleCI puts the token in every job's environment, except in builds of forked pull requests
# (unless the project passes secrets to them).
set -eu
# The V2 token: its sub names the repository and the ref (vcs-origin, vcs-ref), which the trust policy
# docs/iam.md generates pins; the V1 token's sub does not, so such a role refuses it.
token="${CIRCLE_OIDC_TOKEN_V2:-${CIRCLE_OIDC_TOKEN:-}}"
if [ -z "$token" ]; then
  echo "No CircleCI OIDC token (CIRCLE_OIDC_TOKEN_V2) in this job: a forked pull request gets none unless the project passes secrets to forks; older CircleCI server releases issue it only to jobs with a context." >&2
  exit 2
fi
if [ -z "${CIRCLE_OIDC_TOKEN_V2:-}" ]; then
  echo "Note: only CIRCLE_OIDC_TOKEN (V1) in this job: a role whose trust pins the ref (docs/iam.md) refuses it." >&2
fi
# The command's role_arn, else the job's role_arn (ORB_JOB_ROLE_ARN), else the context's AWS_ROLE_ARN.
role_arn="${ORB_ROLE_ARN:-${ORB_JOB_ROLE_ARN:-${AWS_ROLE_ARN:-}}}"
if [ -z "$role_arn" ]; then
  echo "No IAM role to assume: pass role_arn, or set AWS_ROLE_ARN in the job's context." >&2
  exit 2
fi
session="${ORB_ROLE_SESSION_NAME:-circleci-${CIRCLE_PROJECT_REPONAME:-job}-${CIRCLE_BUILD_NUM:-0}}"
session="$(printf '%s' "$session" | tr -c 'A-Za-z0-9+=,.@_-' '-' | cut -c1-64)"

dir="$HOME/.ecs-release"
mkdir -p "$dir"
umask 077
printf '%s' "$token" > "$dir/web-identity-token"
{
  printf 'export AWS_ROLE_ARN=%q\n' "$role_arn"
  printf 'export AWS_WEB_IDENTITY_TOKEN_FILE=%q\n' "$dir/web-identity-token"
  printf 'export AWS_ROLE_SESSION_NAME=%q\n' "$session"
  if [ -n "${ORB_REGION:-}" ]; then printf 'export AWS_REGION=%q\n' "$ORB_REGION"; fi
  # The token expires an hour after issue; with the circleci CLI in the job, ecs-release mints a fresh
  # one (circleci run oidc get) each time it renews the role's credentials, so long jobs keep working.
  if command -v circleci >/dev/null 2>&1; then printf 'export ECS_RELEASE_OIDC=circleci\n'; fi
} >> "$BASH_ENV"
echo "AWS credentials: role ${role_arn}, session ${session}, from the job's OIDC token."
if ! command -v circleci >/dev/null 2>&1; then
  echo "Note: no circleci CLI in this job, so the OIDC token cannot be renewed: AWS calls made more than an hour after the job started will fail." >&2
fi
