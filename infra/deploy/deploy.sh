#!/usr/bin/env bash
# deploy.sh ENV: deploy one environment of samconfig.toml (make deploy
# ENV=dev|prod|...): build the web front end, sam build, sam deploy
# --config-env ENV, then upload the front end to the stack's bucket
# (web.sh). Stops before anything is built when ENV is unknown, when a
# value is still CHANGE-ME, or when the SAM CLI, the AWS CLI or credentials
# are missing. README, 部署 / Deploying.
set -euo pipefail
cd "$(dirname "$0")/../.."
. infra/deploy/samconfig.sh

env=${1:-}
samconfig_check_env "$env"

missing=$(samconfig_placeholders "$env")
if [ -n "$missing" ]; then
	{
		echo "samconfig.toml [$env.deploy.parameters] 中仍有占位值 CHANGE-ME，请先填写城市自己的值："
		echo "These are still CHANGE-ME in samconfig.toml [$env.deploy.parameters]; fill in the city's own values first:"
		printf '  %s\n' $missing
		echo "README, 部署 / Deploying (城市自己的资源 / The city's own resources)."
	} >&2
	exit 2
fi

need() {
	command -v "$1" > /dev/null && return
	echo "未找到 $1 / $1 is not installed: $2" >&2
	exit 2
}
need sam "AWS SAM CLI, https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html"
need aws "AWS CLI v2, https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"

stack=$(samconfig_setting "$env" stack_name)
region=$(samconfig_setting "$env" region)
# The AWS CLI calls below (the web upload) go to the environment's region,
# whatever the profile's default.
export AWS_REGION=$region AWS_DEFAULT_REGION=$region
account=$(aws sts get-caller-identity --query Account --output text) || {
	echo "没有可用的 AWS 凭证 / no AWS credentials: aws configure (or aws sso login), or set AWS_PROFILE" >&2
	exit 2
}
echo "部署 / deploying $env: stack $stack, account $account, region $region"

make --no-print-directory web
sam build --config-env "$env"
sam deploy --config-env "$env"
# District officers' custom:district (issue 19). Added here, with
# AddCustomAttributes, not in the template's Schema: a changed Schema can
# make CloudFormation replace the user pool, orphaning every booking (the
# comment above UserPool). A custom attribute, once added, can be neither
# changed nor removed, so it is added only when the pool lacks it.
pool=$(stack_output "$stack" UserPoolId)
if [ -n "$pool" ]; then
	has=$(aws cognito-idp describe-user-pool --user-pool-id "$pool" \
		--query "UserPool.SchemaAttributes[?Name=='custom:district'].Name" --output text)
	if [ -z "$has" ] || [ "$has" = None ]; then
		aws cognito-idp add-custom-attributes --user-pool-id "$pool" \
			--custom-attributes 'Name=district,AttributeDataType=String,Mutable=true,StringAttributeConstraints={MinLength=1,MaxLength=32}'
		echo "用户池已加上 custom:district / the user pool has custom:district now"
	fi
fi
infra/deploy/web.sh "$stack"
aws cloudformation describe-stacks --stack-name "$stack" --query 'Stacks[0].Outputs' --output table
