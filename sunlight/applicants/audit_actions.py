ACTIONS = {
    "applicants.code.sent": "发送短信验证码",
    "applicants.code.verified": "短信验证码验证通过",
    "applicants.session.started": "申请人登录查看我的办件",
}
