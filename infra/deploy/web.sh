#!/usr/bin/env bash
# web.sh STACK: upload the built front end (web/dist) to the stack's
# web bucket, with the config.json that tells the app this stack's API URL
# and how to sign in, and refresh CloudFront. Needs the AWS CLI and
# credentials, and curl as AuthMode oidc.
#
# AuthMode cognito: the user pool's hosted UI (UserPoolId, UserPoolClientId,
# AuthDomain outputs). AuthMode oidc (no UserPoolId output): the city's
# provider, whose endpoints its discovery document names
# (<AuthIssuer>/.well-known/openid-configuration, OpenID Connect Discovery
# 1.0) and whose client id is the first of the stack's OidcAudience.
set -euo pipefail
stack=$1
cd "$(dirname "$0")/../.."
out() {
	aws cloudformation describe-stacks --stack-name "$stack" \
		--query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
param() {
	aws cloudformation describe-stacks --stack-name "$stack" \
		--query "Stacks[0].Parameters[?ParameterKey=='$1'].ParameterValue" --output text
}
# json_str KEY: the string value of KEY in the JSON on stdin (a discovery
# document's top-level URLs; JSON's escaped \/ read as /).
json_str() {
	tr -d '\n' | sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | sed 's#\\/#/#g'
}
api=$(out ApiUrl) pool=$(out UserPoolId)
bucket=$(out WebBucketName) dist=$(out WebDistributionId)
test -f web/dist/index.html || { echo "web/dist is not built: make web" >&2; exit 1; }

if [ -n "$pool" ] && [ "$pool" != None ]; then
	client=$(out UserPoolClientId) domain=$(out AuthDomain)
	region=${pool%%_*} # a user pool id is <region>_<id>
	config=$(printf '{"mode":"cognito","apiUrl":"%s","region":"%s","userPoolId":"%s","clientId":"%s","domain":"%s"}' \
		"$api" "$region" "$pool" "$client" "$domain")
else
	issuer=$(out AuthIssuer)
	issuer=${issuer%/}
	client=$(param OidcAudience)
	client=${client%%,*}
	client=${client// /}
	if [ -z "$issuer" ] || [ "$issuer" = None ] || [ -z "$client" ] || [ "$client" = None ]; then
		echo "the stack has neither a user pool nor AuthIssuer and OidcAudience: is it deployed?" >&2
		exit 1
	fi
	doc=$(curl -fsS --max-time 20 "$issuer/.well-known/openid-configuration") ||
		{ echo "cannot read $issuer/.well-known/openid-configuration" >&2; exit 1; }
	authorize=$(json_str authorization_endpoint <<<"$doc") token=$(json_str token_endpoint <<<"$doc")
	logout=$(json_str end_session_endpoint <<<"$doc") named=$(json_str issuer <<<"$doc")
	# Discovery requires the document's issuer to be the one it was read from.
	if [ "${named%/}" != "$issuer" ] || [ -z "$authorize" ] || [ -z "$token" ]; then
		echo "$issuer/.well-known/openid-configuration: issuer \"$named\", or no authorization_endpoint or token_endpoint" >&2
		exit 1
	fi
	config=$(printf '{"mode":"oidc","apiUrl":"%s","clientId":"%s","authorizeUrl":"%s","tokenUrl":"%s","logoutUrl":"%s","scope":"openid profile"}' \
		"$api" "$client" "$authorize" "$token" "$logout")
fi

# Hashed assets are cached for good; the page and its config never.
aws s3 sync web/dist "s3://$bucket/" --delete --exclude index.html --exclude config.json \
	--cache-control "public, max-age=31536000, immutable"
aws s3 cp web/dist/index.html "s3://$bucket/index.html" --cache-control no-cache --content-type "text/html; charset=utf-8"
printf '%s\n' "$config" | aws s3 cp - "s3://$bucket/config.json" --cache-control no-cache --content-type application/json
aws cloudfront create-invalidation --distribution-id "$dist" --paths /index.html /config.json > /dev/null
echo "web front end: $(out WebUrl)"
