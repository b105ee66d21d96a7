#!/usr/bin/env bash
# web.sh STACK: upload the built front end (web/dist) to the stack's
# web bucket, with the config.json that tells the app this stack's API URL
# and user pool, and refresh CloudFront. Needs the AWS CLI and credentials.
set -euo pipefail
stack=$1
cd "$(dirname "$0")/../.."
out() {
	aws cloudformation describe-stacks --stack-name "$stack" \
		--query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
api=$(out ApiUrl) pool=$(out UserPoolId) client=$(out UserPoolClientId) domain=$(out AuthDomain)
bucket=$(out WebBucketName) dist=$(out WebDistributionId)
region=${pool%%_*} # a user pool id is <region>_<id>
test -f web/dist/index.html || { echo "web/dist is not built: make web" >&2; exit 1; }

# Hashed assets are cached for good; the page and its config never.
aws s3 sync web/dist "s3://$bucket/" --delete --exclude index.html --exclude config.json \
	--cache-control "public, max-age=31536000, immutable"
aws s3 cp web/dist/index.html "s3://$bucket/index.html" --cache-control no-cache --content-type "text/html; charset=utf-8"
printf '{"mode":"cognito","apiUrl":"%s","region":"%s","userPoolId":"%s","clientId":"%s","domain":"%s"}\n' \
	"$api" "$region" "$pool" "$client" "$domain" |
	aws s3 cp - "s3://$bucket/config.json" --cache-control no-cache --content-type application/json
aws cloudfront create-invalidation --distribution-id "$dist" --paths /index.html /config.json > /dev/null
echo "web front end: $(out WebUrl)"
