"""What the liaison on duty is told of a request a client started, as phrases (notify.said)."""

from __future__ import annotations

from expedite.domain.phrases import gettext_noop, templates

templates(
    {
        "requests.new.subject": gettext_noop("客户在线提交加急申请：%(ref)s %(client)s"),
        "requests.new.body": gettext_noop(
            "%(contact)s（%(phone)s）申请“%(service)s”，要求 %(deadline)s 前办好。"
            "请尽快联系客户并完成加急评估。"
        ),
        "requests.duplicate.subject": gettext_noop("客户再次申请：%(ref)s %(client)s"),
        "requests.duplicate.body": gettext_noop(
            "%(contact)s（%(phone)s）又在线申请了“%(service)s”，该公司已有同类加急单在办。"
            "请联系客户确认是否为同一件事。"
        ),
        "requests.on_duty": gettext_noop("在线申请时的值班客户对接专员"),
        "requests.unknown_requester": gettext_noop(
            "该手机号不是这家公司登记的联系人：请先向公司核实申请人身份，再登记为联系人；"
            "在此之前系统不会向其发送任何办理信息。"
        ),
    }
)
