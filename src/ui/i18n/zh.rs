//! 中文。

use super::{KernelWords, LayersWords, Messages};

pub const KEYS: &[(&str, &str)] = &[
    ("", "回放"),
    ("space", "暂停 / 继续"),
    ("→ / ←", "前进 / 后退一个报文段（并暂停）"),
    ("+ / -", "加快 / 减慢回放（0.25 到 64 倍，再到最快）"),
    ("Home / End", "跳到开头（暂停）/ 跳到结尾"),
    ("r", "从头重新回放"),
    ("g", "跳过到下一个报文段之前的空闲时间"),
    ("t", "最后一个报文之后时钟继续走（定时器到期）"),
    ("R", "--lab：把场景再运行一次"),
    ("", "连接与梯形图"),
    ("↑ ↓ / k j", "在当前窗格中移动"),
    ("PgUp / PgDn", "翻页"),
    ("Tab", "切换焦点：连接列表 / 梯形图"),
    ("Enter", "列表：进入梯形图；梯形图：折叠 / 展开一段数据"),
    ("e", "折叠 / 展开所有数据段"),
    ("f", "跟随模式：最新的连接和最新的箭头"),
    ("P", "固定所选连接（再按 P 取消）"),
    ("s / S", "按下一列排序 / 反向排序"),
    ("/", "按文字、状态、端口、主机过滤（Esc 清除）"),
    ("l", "语言：English / 中文"),
    ("c", "在生命线上显示套接字调用：connect()、close() 等"),
    ("x", "把选中的连接导出为 Mermaid 文件（当前目录）"),
    ("i", "逐层查看光标处的报文段（i 或 Esc 关闭）"),
    ("z", "只显示梯形图和讲解（投影用）"),
    ("u", "UDP 流，作为对比：没有握手，没有状态（u 返回）"),
    ("mouse", "点击选择（点表头：排序），滚轮滚动"),
    ("", "问题"),
    ("p", "问题视图，最严重的在前（再按 p 返回）"),
    ("↑ ↓ / Enter", "问题：选择一条发现 / 打开其梯形图，证据标 !"),
    ("", "屏幕"),
    ("?", "本帮助（? 或 Esc 关闭）"),
    ("Ctrl-L", "重绘屏幕"),
    ("Ctrl-Z", "挂起（fg 恢复）"),
    (
        "q / Esc / Ctrl-C",
        "退出（Esc 先关闭帮助、过滤、梯形图；实时抓包时先询问）",
    ),
];

pub const NOTES: &[&str] = &[
    "标志列：大写为客户端发送，小写为服务器发送：",
    "S SYN，D 数据，F FIN，R RST。! 表示异常或诊断出的问题。",
    "箭头：─ 报文段，═ 复位，┄ 推断；状态名写在状态改变的地方。",
    "梯形图：zeek 的 conn_state 和 history、诊断发现；! 标出发现的证据；",
    "最后一个箭头下的进度条倒数 TIME_WAIT 剩余的 2*MSL。",
];

pub static MESSAGES: Messages = Messages {
    quit: "退出",
    help: "帮助",
    problems: "问题",
    play: "播放",
    pause: "暂停",
    step: "单步",
    speed: "速度",
    filter: "过滤",
    pane: "窗格",
    fold: "折叠",
    follow: "跟随",
    unfollow: "取消跟随",
    choose: "选择",
    show_on_ladder: "在梯形图中显示",
    back: "返回",
    filter_hint: "  状态、端口、主机或文字；Enter 保留，Esc 清除",
    confirm_quit: " 停止实时抓包？",
    confirm_quit_rest: " 退出，其他任意键继续",
    paused: "已暂停",
    playing: "播放中",
    end: "结束",
    clock_on: "结束，时钟继续",
    counters: ["包", "段", "/秒", "畸形", "丢弃"],
    bound: ["已逐出", "上限", "已折叠"],
    connections: |n| format!("{n} 个连接"),
    client_colon: "客户端：",
    findings: |n| format!("{n} 条发现"),
    problems_n: |n| format!("{n} 个问题"),
    no_finding: "无发现",
    findings_head: ["发现：", "模式"],
    secs_left: |s| format!("剩余 {s:.1} 秒"),
    server_colon: "服务器：",
    columns: [
        "客户端",
        "服务器",
        "客户端状态",
        "服务器状态",
        "时长",
        "包数",
        "字节",
        "标志",
    ],
    time: "时间",
    client: "客户端",
    server: "服务器",
    help_title: "synack 按键",
    keys: KEYS,
    notes: NOTES,
    legend: [
        "图例",
        "报文段",
        "复位",
        "推断",
        "折叠的数据",
        "推测的状态",
        "客户端，s f d r 服务器",
        "SF 完成，S0 无应答，REJ 被拒绝",
    ],
    list_title: ["连接", "排序", "跟随"],
    shown: |n| format!("（显示 {n} 个）"),
    sort_names: [
        "客户端",
        "服务器",
        "客户端状态",
        "服务器状态",
        "时长",
        "包数",
        "字节",
        "标志",
        "异常",
    ],
    ladder_title: ["握手", "拆除", "从中途开始捕获", "复用", "隧道："],
    ladder: "梯形图",
    no_selection: "尚未选择连接：在列表中选中的连接的梯形图显示在这里。",
    handshake_names: ["完整", "不完整", "无"],
    teardown_names: ["FIN", "RST", "半关闭", "无"],
    more_findings: |n| format!("（另有 {n} 条：按 p 列出）"),
    comma: "，",
    problems_view: super::ProblemsWords {
        title: |d, sep| {
            let mut t = format!(
                " 问题{sep}{} 条发现，涉及 {} / {} 个连接{sep}{} 个问题",
                d.total, d.with_findings, d.connections, d.problems
            );
            if d.groups > 0 {
                t.push_str(&format!("{sep}{} 个模式", d.groups));
            }
            if d.behind > 0 {
                t.push_str(&format!("{sep}{} 个待检查", d.behind));
            }
            t.push(' ');
            t
        },
        section_note: |count, problems| match problems {
            0 => "  正常，不是问题".into(),
            p if p < count => format!("  其中 {p} 个是问题"),
            _ => String::new(),
        },
        patterns: "跨连接的模式",
        place: |addr, client| format!("{addr}（{}）", if client { "客户端" } else { "服务器" }),
        empty: [
            "这个抓包里没有 TCP 连接：没有可诊断的。",
            "没有发现：每个连接看起来都正常。",
            "暂无发现：回放到它们时会出现在这里。",
        ],
        finding: |f| {
            let frames: Vec<String> = f.frames.iter().map(u64::to_string).collect();
            format!(
                "#{} {}（{}），自 {} 起：{}。证据：第 {} 帧。按 Enter 在梯形图上查看。",
                f.conn,
                f.endpoint,
                if f.client { "客户端" } else { "服务器" },
                f.since,
                f.sentence,
                if frames.is_empty() {
                    "-".to_string()
                } else {
                    frames.join("、")
                }
            )
        },
        group: |text, ids, more| {
            format!(
                "{text}。连接 {ids}{}。按 Enter 查看第一个。",
                if more { " 等" } else { "" }
            )
        },
        nothing: [
            "没有发现；按 p 返回。",
            "回放到发现时会出现在这里；按 p 返回。",
        ],
    },
    udp: super::UdpWords {
        list_title: |n| format!(" UDP 流 {n} │ 无连接 "),
        ladder_title: |id, ends, service| match service {
            Some(s) => format!(" #{id} {ends} │ {s} │ 没有握手，没有状态 "),
            None => format!(" #{id} {ends} │ 没有握手，没有状态 "),
        },
        ladder: "UDP 数据报",
        none: "还没有 UDP 数据报。UDP 流到来时显示在这里：按 u 或 Esc 回到 TCP 连接。",
        not_read: "没有读取 UDP：用 --udp 启动 synack（否则实时捕获的内核过滤器只保留 TCP）。",
        about: "UDP（RFC 768）是无连接的：没有握手来建立流，也没有拆除来关闭它；每个数据报各自独立，没有序号、没有确认、没有重传。",
        narration: |d| {
            let label = d.label.map(|l| format!("（{l}）")).unwrap_or_default();
            let len = d.len;
            match (d.from_client, d.again) {
                (true, true) => format!("客户端再次发送同样的 {len} 字节数据报{label}：这不是 UDP 的重传（UDP 没有重传，RFC 768），而是应用程序自己超时后重发，DNS 解析器就是这样做的。"),
                (true, false) => format!("客户端发送一个 {len} 字节的 UDP 数据报{label}：之前没有握手，之后也没有拆除。UDP 不保存状态：没有序号、没有确认、没有重传；如果丢失，只有应用程序可以重发。"),
                (false, true) => format!("服务器再次发送同样的 {len} 字节数据报{label}：是它的应用程序在重复，UDP 本身从不重发。"),
                (false, false) => format!("服务器回复一个 {len} 字节的数据报{label}。UDP 层没有任何确认：是这个回复本身让客户端知道数据报已经送到；而 TCP 用 ACK 确认每一个字节。"),
            }
        },
        more: |n| format!("（另有 {n} 个数据报未保留）"),
    },
    kernel: KernelWords {
        column: "内核",
        heading: "内核：",
        no_socket: "无套接字",
        none: "无",
        elsewhere: "不在本机",
        left: |s| format!("还剩 {s:.0} 秒"),
        inferred: |s| format!("（synack 推断为 {s}）"),
    },
    layers: LayersWords {
        names: ["应用层", "传输层", "网络层", "数据链路层", "物理层"],
        title: |n| format!("第 {n} 帧，逐层展开"),
        close_hint: "i 或 Esc 关闭，↑↓ 滚动",
        key_hint: "逐层",
        reading: |n| format!("正在读取第 {n} 帧…"),
        not_held: |n| format!("第 {n} 帧已不在内存中：实时抓包只保留最近的帧"),
        unavailable: |n, why| format!("第 {n} 帧无法重新读取：{why}"),
        failed: |n, why| format!("无法读取第 {n} 帧：{why}"),
        stopped: |at| format!("在第 {at} 字节处停止："),
        not_reached: "未到达：帧在下层就结束了",
        no_data: "无数据（仅控制报文段）",
        data: |len, cap| {
            if cap == len {
                format!("{len} 字节")
            } else {
                format!("{len} 字节，抓到其中 {cap} 字节")
            }
        },
        more: |n| format!("… 另有 {n} 字节未显示"),
        no_segment: "i：请先把梯形图的光标移到一个报文段上",
    },
};
