#!/usr/bin/env bash
# accounts.sh ENV COMMAND ...: officer and staff accounts in a deployed
# stack's Cognito user pool, with the AWS CLI (README, 部署 / Deploying).
#
#   accounts.sh ENV officer PHONE [--print-password]
#   accounts.sh ENV district-officer PHONE DISTRICT [--print-password]
#   accounts.sh ENV staff PHONE CENTRE_ID[,CENTRE_ID...] [--print-password]
#   accounts.sh ENV remove-staff PHONE CENTRE_ID
#   accounts.sh ENV list-staff CENTRE_ID
#   accounts.sh ENV show PHONE
#
# ENV is an environment of samconfig.toml (dev, prod); PHONE a mainland
# China mobile number, +8613812345678 or 13812345678. A new account gets
# Cognito's invitation SMS with a temporary password; --print-password
# sends nothing and prints one to hand over in person instead.
#
# DISTRICT is one of the eight districts' ids (liangxi, xishan, huishan,
# binhu, xinwu, jingkai, jiangyin, yixing: shared/domain Districts).
#
# Officers invite staff through the API since issue 19 (POST
# /v1/centres/{centre_id}/staff), which keeps who is staff where in the
# table; staff and remove-staff here change only the pool, for a stack
# without the web yet.
set -euo pipefail
cd "$(dirname "$0")/../.."
. infra/deploy/samconfig.sh

usage() {
	sed -n '5,10p' "$0" | sed 's/^#   //' >&2
	exit 2
}
fail() {
	printf '%s\n' "$@" >&2
	exit 1
}

[ $# -ge 2 ] || usage
env=$1 cmd=$2
shift 2
samconfig_check_env "$env"
print_password=
for a in "$@"; do
	case $a in
	--print-password) print_password=1 ;;
	-*) fail "未知选项 / unknown option: $a" ;;
	esac
done
# The remaining arguments (phone numbers, centre ids) have no spaces.
set -- $(printf '%s\n' "$@" | grep -vx -- --print-password || true)

phone_arg() {
	local p=$1
	case $p in +86*) ;; *) p=+86$p ;; esac
	[[ $p =~ ^\+861[3-9][0-9]{9}$ ]] ||
		fail "不是中国大陆手机号 / not a mainland China mobile number: $1 (+8613812345678 or 13812345678)"
	printf '%s\n' "$p"
}

district_arg() {
	case $1 in
	liangxi | xishan | huishan | binhu | xinwu | jingkai | jiangyin | yixing) ;;
	*) fail "不是无锡的区 / not a district of Wuxi: '$1' (liangxi xishan huishan binhu xinwu jingkai jiangyin yixing)" ;;
	esac
}

centre_id_arg() {
	[[ $1 =~ ^[A-Za-z0-9_-]{1,64}$ ]] || fail "不是机构 ID / not a centre id: '$1'"
}

stack=$(samconfig_setting "$env" stack_name)
region=$(samconfig_setting "$env" region)
export AWS_REGION=$region AWS_DEFAULT_REGION=$region

# open_pool: sets pool, the stack's user pool, once the arguments are checked.
open_pool() {
	pool=$(stack_output "$stack" UserPoolId)
	[ -n "$pool" ] || fail "堆栈 $stack 没有 Cognito 用户池 / stack $stack has no Cognito user pool:" \
		"with AuthMode=oidc accounts and groups are the city's identity provider's (README, 中国区域 / China regions)."
}

# centres_exist IDS: stops unless each of IDS (comma-separated) is a centre
# of this stack, by the public GET /v1/centres/{id}.
centres_exist() {
	local api id code
	api=$(stack_output "$stack" ApiUrl)
	for id in ${1//,/ }; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$api/v1/centres/$id") || code=000
		case $code in
		200) ;;
		404) fail "没有这个机构 / no centre '$id' at $api (GET /v1/centres/$id answered 404)" ;;
		*) fail "无法核对机构 / could not check centre '$id': GET $api/v1/centres/$id answered $code" ;;
		esac
	done
}

# union LIST...: the comma-separated lists as one, each id once, in order.
union() {
	printf '%s\n' ${*//,/ } | awk 'NF && !seen[$0]++' | paste -s -d , -
}

# find_user PHONE: sets user (the pool's user name, empty when there is no
# such user) and ids (its custom:centre_ids).
find_user() {
	local line
	line=$(aws cognito-idp list-users --user-pool-id "$pool" --filter "phone_number = \"$1\"" \
		--query 'Users[0].[Username, Attributes[?Name==`custom:centre_ids`] | [0].Value]' --output text)
	user=${line%%$'\t'*} ids=${line#*$'\t'}
	[ "$user" != None ] || user=
	[ "$ids" != None ] && [ "$line" != "$ids" ] || ids=
}

# A temporary password meets Cognito's default policy: upper and lower
# case, a digit and a symbol.
temp_password() {
	printf 'Wx-%s-7k\n' "$(head -c 48 /dev/urandom | base64 | tr -dc 'A-HJ-NP-Za-km-z2-9' | head -c 12)"
}

# create_user PHONE: a new user with a verified phone number, sets user.
create_user() {
	local attrs="[{\"Name\":\"phone_number\",\"Value\":\"$1\"},{\"Name\":\"phone_number_verified\",\"Value\":\"true\"}]" pw
	if [ -n "$print_password" ]; then
		pw=$(temp_password)
		user=$(aws cognito-idp admin-create-user --user-pool-id "$pool" --username "$1" --user-attributes "$attrs" \
			--message-action SUPPRESS --temporary-password "$pw" --query User.Username --output text)
		echo "新账号 / new account $1, 临时密码 / temporary password: $pw"
		echo "  (hand it over in person; it is changed at the first sign-in and expires after 7 days unless the pool says otherwise)"
	else
		user=$(aws cognito-idp admin-create-user --user-pool-id "$pool" --username "$1" --user-attributes "$attrs" \
			--desired-delivery-mediums SMS --query User.Username --output text)
		echo "新账号 / new account $1: Cognito sent the invitation SMS (user name and temporary password)"
	fi
}

find_or_create() {
	find_user "$1"
	if [ -z "$user" ]; then create_user "$1"; else echo "已有账号 / existing account $1 ($user)"; fi
}

set_centres() {
	aws cognito-idp admin-update-user-attributes --user-pool-id "$pool" --username "$user" \
		--user-attributes "[{\"Name\":\"custom:centre_ids\",\"Value\":\"$1\"}]"
}

mfa_note="首次登录须绑定身份验证器（TOTP），否则没有员工/官员权限 / until an authenticator app (TOTP) is enrolled at sign-in, the token carries no staff or officer group."

case $cmd in
officer)
	[ $# -eq 1 ] || usage
	phone=$(phone_arg "$1")
	open_pool
	find_or_create "$phone"
	aws cognito-idp admin-add-user-to-group --user-pool-id "$pool" --username "$user" --group-name city-officers
	echo "city-officers: $phone. $mfa_note"
	;;
district-officer)
	[ $# -eq 2 ] || usage
	phone=$(phone_arg "$1") district=$2
	district_arg "$district"
	open_pool
	find_or_create "$phone"
	# custom:district is added by deploy.sh (AddCustomAttributes).
	aws cognito-idp admin-update-user-attributes --user-pool-id "$pool" --username "$user" \
		--user-attributes "[{\"Name\":\"custom:district\",\"Value\":\"$district\"}]"
	aws cognito-idp admin-add-user-to-group --user-pool-id "$pool" --username "$user" --group-name district-officers
	echo "district-officers: $phone, custom:district=$district (in the token from the next sign-in). $mfa_note"
	;;
staff)
	[ $# -eq 2 ] || usage
	phone=$(phone_arg "$1")
	for id in ${2//,/ }; do centre_id_arg "$id"; done
	add=$(union "$2")
	[ -n "$add" ] || usage
	open_pool
	centres_exist "$add"
	find_or_create "$phone"
	merged=$(union "$ids" "$add")
	set_centres "$merged"
	aws cognito-idp admin-add-user-to-group --user-pool-id "$pool" --username "$user" --group-name centre-staff
	echo "centre-staff: $phone, custom:centre_ids=$merged (in the token from the next sign-in). $mfa_note"
	;;
remove-staff)
	[ $# -eq 2 ] || usage
	phone=$(phone_arg "$1") id=$2
	centre_id_arg "$id"
	open_pool
	find_user "$phone"
	[ -n "$user" ] || fail "没有此账号 / no account with $phone"
	case ,$ids, in *,"$id",*) ;; *) fail "$phone 不管理 $id / $phone has no centre $id (custom:centre_ids=$ids)" ;; esac
	rest=$(printf '%s\n' ${ids//,/ } | grep -vx -- "$id" | paste -s -d , - || true)
	if [ -n "$rest" ]; then
		set_centres "$rest"
	else
		aws cognito-idp admin-delete-user-attributes --user-pool-id "$pool" --username "$user" --user-attribute-names custom:centre_ids
		aws cognito-idp admin-remove-user-from-group --user-pool-id "$pool" --username "$user" --group-name centre-staff
	fi
	# No new tokens from old refresh tokens; an ID token already issued
	# keeps its claims until it expires (an hour by default).
	aws cognito-idp admin-user-global-sign-out --user-pool-id "$pool" --username "$user"
	echo "$phone: custom:centre_ids=${rest:-（无）/ none, out of centre-staff}; signed out everywhere"
	;;
list-staff)
	[ $# -eq 1 ] || usage
	centre_id_arg "$1"
	open_pool
	aws cognito-idp list-users-in-group --user-pool-id "$pool" --group-name centre-staff \
		--query 'Users[].[Attributes[?Name==`phone_number`] | [0].Value, Username, Attributes[?Name==`custom:centre_ids`] | [0].Value]' \
		--output text | awk -F '\t' -v id="$1" '{n = split($3, a, ","); for (i = 1; i <= n; i++) if (a[i] == id) { print $1 "\t" $2; break }}'
	;;
show)
	[ $# -eq 1 ] || usage
	phone=$(phone_arg "$1")
	open_pool
	find_user "$phone"
	[ -n "$user" ] || fail "没有此账号 / no account with $phone"
	echo "user: $user"
	echo "centre_ids: ${ids:-（无）/ none}"
	echo "groups: $(aws cognito-idp admin-list-groups-for-user --user-pool-id "$pool" --username "$user" --query 'Groups[].GroupName' --output text)"
	aws cognito-idp admin-get-user --user-pool-id "$pool" --username "$user" \
		--query '[UserStatus, join(`,`, UserMFASettingList || `[]`)]' --output text |
		awk -F '\t' '{print "status: " $1; print "mfa: " ($2 == "" ? "（无）/ none: no TOTP enrolled yet" : $2)}'
	;;
*) usage ;;
esac
