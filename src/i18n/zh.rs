//! Chinese (中文): every table, and the prose's translations.

use super::{
    FindingWords, HeaderWords, KernelWords, KindWords, Language, LayersWords, Messages,
    ReportWords, UdpTextWords,
};

pub static LANGUAGE: Language = Language {
    code: "zh",
    name: "中文",
    ascii_name: "Chinese",
    messages: &MESSAGES,
    report: &REPORT,
    header: &HEADER,
    udp: &UDP,
    findings: Some(&FINDINGS),
    prose: PROSE,
};

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
    ("l", "语言：{languages}"),
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
        "退出（Esc 先关闭帮助、过滤、梯形图；实时抓包时 Esc 先询问）",
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
    live_modes: ["定位中", "实时", "已结束", "已暂停（实时，暂存 {n} 帧）"],
    live_source: "实时 {name}",
    stdin_live: "标准输入（实时）",
    gaps_skipped: "已跳过空闲 {n} 次",
    lab_holds: "实验：{name} 已就绪",
    pct_left: "{label} 余 {pct}%",
    counters: ["包", "段", "/秒", "畸形", "丢弃"],
    bound: ["已逐出", "上限", "已折叠"],
    connections: |n| format!("{n} 个连接"),
    client_colon: "客户端：",
    findings: |n| format!("{n} 条发现"),
    problems_n: |n| format!("{n} 个问题"),
    no_finding: "无发现",
    findings_head: ["发现：", "模式"],
    parens: ["（", "）"],
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
    help_title: " synack 按键（? 或 Esc 关闭，{updown} 滚动） ",
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
    empty_list: [
        "这个捕获文件中没有 TCP 连接。",
        "还没有连接。",
        "没有连接符合过滤条件“{filter}”（按 Esc 清除）。",
    ],
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
        none_in_file: "这个捕获文件中没有 UDP 数据报：按 u 或 Esc 回到 TCP 连接。",
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
        in_udp: "i 只能打开 TCP 报文段的分层：按 u 回到连接",
    },
};

pub static REPORT: ReportWords = ReportWords {
    diagnosis: "synack 对 {source} 的诊断：{findings}，涉及 {with} / {connections}，{patterns}（{problems}）",
    findings: |n| format!("{n} 条发现"),
    connections: |n| format!("{n} 个连接"),
    patterns: |n| format!("{n} 个模式"),
    problems: |n| format!("{n} 个问题"),
    patterns_heading: "跨连接的模式",
    group_conns: "      连接 {ids}{more}",
    kind_heading: "{title}（{n}）",
    finding: "  #{conn} {endpoint}（{side}）自 {since} 起\n         {sentence}\n         {evidence}",
    sides: ["客户端", "服务器"],
    evidence: |f| {
        let list = if f.is_empty() { "-".into() } else { f.join("、") };
        format!("证据：第 {list} 帧")
    },
    more: "  ……另有 {n} 条（全部见 --json）",
    nothing: "没有发现：每个连接看起来都正常。",
    udp_part: "，UDP {n}",
    pending: "捕获结束时有 {n} 个 SYN 还没有得到应答，时间太短，还不能判定为无人应答：应答可能在捕获停止之后才到，也可能永远不会到（捕获更长时间才能判断）。",
    summary: "汇总",
    packets: "  数据包 {packets}：TCP {tcp}{udp}，非 TCP {non_tcp}，被过滤 {filtered}，不支持的链路类型 {skipped}，畸形 {malformed}",
    skipped_link: "    跳过的链路类型 {lt}：{n}",
    malformed: "    畸形（{reason}）：{n}",
    fragments: "  IP 分片 {frames}：重组 {reassembled} 个数据报，重复 {duplicate}，重叠 {overlapping}（丢弃），冲突 {conflicting}，未完成 {incomplete}",
    tunnels: "  经过隧道的报文段：{list}",
    conns: "  连接 {n}：握手完整 {hc}，不完整 {hp}，无 {hn}；拆除 FIN {tf}，RST {tr}，半关闭 {th}，无 {tn}",
    reuse: "  从中途开始 {mid}，端口复用 {reuses}，TIME_WAIT 到期（推断）{expired}",
    marked: "  标记的报文段：{list}",
    list_sep: "，",
    states: "  最终状态            客户端   服务器",
    udp: "  UDP：{d} 个数据报，{f} 个流（在上面的 TCP 之外；无连接，没有状态）\n",
};

pub static HEADER: HeaderWords = HeaderWords {
    connection: "连接 #{id}  {client} -> {server}",
    tunnel: "  隧道：{list}",
    tunnel_sep: "，内层 ",
    service: "  服务：{service}",
    how: "  握手 {handshake}，拆除 {teardown}",
    mid_stream: "，从中途开始捕获",
    reuses: "，复用 #{prev} 的四元组",
    was: "（原为 {c} / {s}）",
    counts: "  开始 {first}  时长 {duration} 秒  报文段 {p}（客户端 {pc}，服务器 {ps}）  字节 {b}（客户端 {bc}，服务器 {bs}）",
    final_states: "  最终状态：客户端 {c}，服务器 {s}",
    no_listener: ["CLOSED（无监听）", "无监听"],
    columns: ["时间", "客户端", "服务器"],
};

pub static UDP: UdpTextWords = UdpTextWords {
    flow: "UDP 流",
    service: "服务：",
    why: "无连接：没有握手、没有状态、没有拆除；每个数据报各自独立，没有确认，也没有重传（RFC 768）",
    counts: "开始 {first}  时长 {duration} 秒  数据报 {p}（客户端 {pc}，服务器 {ps}）  字节 {b}（客户端 {bc}，服务器 {bs}）",
    more: "（另有 {n} 个数据报未保留）",
};

/// Each kind of finding in one sentence, from what the finding holds: less detail than the
/// diagnosis's English sentence, the same meaning.
pub static FINDINGS: FindingWords = FindingWords {
    half_open: KindWords {
        title: "半开连接",
        sentence: "半开连接（涉及 {ep}）：一端已经不在了（重启、丢失了连接，或握手从未完成），另一端还以为连接是打开的",
    },
    close_wait: KindWords {
        title: "一直不关闭的 CLOSE_WAIT",
        sentence: "{ep} 上的应用程序没有关闭套接字：收到对方的 FIN 之后一直停在 CLOSE_WAIT，对方停在 FIN_WAIT_2",
    },
    syn_unanswered: KindWords {
        title: "无人应答的 SYN",
        sentence: "{n} 个 SYN 发往 {ep}，没有应答：防火墙丢弃了它，或者主机不在线",
    },
    zero_window: KindWords {
        title: "零窗口",
        sentence: "{ep} 通告零窗口：它的应用程序读取数据的速度跟不上数据到达的速度",
    },
    reset: KindWords {
        title: "重置（RST）",
        sentence: "连接被 RST 重置（{ep}）：异常关闭，未读的数据被丢弃，或者一端已经不认识这个连接",
    },
    refused: KindWords {
        title: "被拒绝的连接",
        sentence: "{ep} 拒绝了连接：该端口上没有进程在监听，SYN 得到的回答是 RST（connect() 返回 ECONNREFUSED）",
    },
    retransmission: KindWords {
        title: "重传",
        sentence: "{n} 次重传，主要来自 {ep}：路径上有丢包或拥塞",
    },
    time_wait: KindWords {
        title: "TIME_WAIT 状态",
        sentence: "{ep} 处于 TIME_WAIT，保持 2*MSL{left}：最后的 ACK 可能丢失，对方会重发 FIN，这一端必须还在才能再次确认",
    },
    dup_ack: KindWords {
        title: "重复 ACK",
        sentence: "{n} 个重复 ACK 来自 {ep}：它缺少数据，正在再次请求",
    },
    keepalive: KindWords {
        title: "保活探测",
        sentence: "{n} 个保活探测来自 {ep}",
    },
    idle: KindWords {
        title: "空闲连接",
        sentence: "连接处于 ESTABLISHED（{ep}），但已经很久没有任何报文段",
    },
    kernel_disagrees: KindWords {
        title: "内核的看法不同",
        sentence: "{ep}：synack 根据报文推断的状态与内核（sock_diag）报告的套接字状态不同",
    },
    time_wait_left: "，还剩 {r} 秒（推断）",
    syn_flood: "SYN 洪泛特征：{n} 个半开连接指向 {ep}，来自 {sources} 个不同的源地址，最多每秒 {peak} 个",
    time_wait_group: "{n} 个通往 {ep} 的连接处于 TIME_WAIT，由{end} {holders} 持有：{advice}",
    list_sep: "、",
    and_more: " 等另外 {more} 个",
    time_wait_advice: [
        "客户端先关闭；请复用连接（keep-alive、连接池），或让服务器关闭",
        "服务器先关闭；请让客户端关闭（HTTP keep-alive），或调整服务器的关闭策略",
    ],
};

/// The prose: (the English in the code, its Chinese), the narration's then the lessons'.
pub const PROSE: &[(&str, &str)] = &[
    // The narration (`ui/narrate.rs`).
    (
        "it asks to open a connection, with its initial sequence number (ISN),",
        "请求建立连接，带上自己的初始序号（ISN）",
    ),
    (
        "it agrees: its own SYN (with its ISN) and the ACK of {peer}'s SYN (ack = that ISN + 1); accept() returns only after the final ACK",
        "同意建立连接：发出自己的 SYN（带上自己的初始序号），同时确认{peer}的 SYN（ack = 其初始序号 + 1）；accept() 要等到最后一个 ACK 到达才返回",
    ),
    (
        "its application called close() or shutdown(): it sends no more data, closing its direction only,",
        "其应用程序调用了 close() 或 shutdown()：不再发送数据，只关闭本方向",
    ),
    (
        "it aborts the connection at once (no FIN exchange; data not yet delivered is lost)",
        "立即中止连接（不经过 FIN 交换，尚未交付的数据会丢失）",
    ),
    (
        "no socket is listening on port {port}, so its kernel refuses the connection",
        "端口 {port} 上没有套接字在监听，内核因此拒绝连接",
    ),
    (
        "it carries {n} bytes of data",
        "携带 {n} 字节数据",
    ),
    (
        "it acknowledges what it has received so far (ack = the next sequence number it expects)",
        "确认到目前为止收到的内容（ack = 它期望的下一个序号）",
    ),
    (
        "it acknowledges {peer}'s SYN (ack = its ISN + 1), the third segment of the handshake. Three are needed: each side's ISN must be acknowledged by the other, and an old duplicate SYN can then be refused instead of opening a connection",
        "确认{peer}的 SYN（ack = 其初始序号 + 1），这是握手的第三个报文。需要三个报文，是因为双方的初始序号都必须得到对方确认，而且这样才能识别并拒绝旧的重复 SYN，而不是误建连接",
    ),
    (
        "it acknowledges {peer}'s FIN (a FIN takes one sequence number: ack = the FIN's seq + 1)",
        "确认{peer}的 FIN（FIN 占用一个序号：ack = FIN 的序号 + 1）",
    ),
    (
        "an unusual combination of flags",
        "不常见的标志组合",
    ),
    (
        "no connection is left",
        "连接已不存在",
    ),
    (
        "its application called listen(): waiting for a SYN",
        "应用程序已调用 listen()：等待 SYN",
    ),
    (
        "its application called connect(): waiting for the SYN+ACK",
        "应用程序已调用 connect()：等待 SYN+ACK",
    ),
    (
        "waiting for the handshake's last ACK: its own ISN is not acknowledged yet",
        "等待握手的最后一个 ACK：自己的初始序号还没有得到确认",
    ),
    (
        "data can flow both ways",
        "双方可以互相传输数据",
    ),
    (
        "waiting for its FIN to be acknowledged",
        "等待对方确认自己的 FIN",
    ),
    (
        "its direction is closed; waiting for the other end's FIN",
        "本方向已关闭，等待对方的 FIN",
    ),
    (
        "the peer is done sending: its application reads EOF (read() = 0), may still send, then calls close(); each direction closes on its own, hence four segments",
        "对方已不再发送：本方应用程序读到 EOF（read() = 0），仍可发送，之后调用 close()；两个方向各自关闭，所以需要四个报文",
    ),
    (
        "both FINs crossed, waiting for the ACK of its own",
        "双方 FIN 交叉，等待对方确认自己的 FIN",
    ),
    (
        "waiting for the ACK of its FIN",
        "等待对方确认自己的 FIN",
    ),
    (
        "it waits 2*MSL: should its last ACK be lost, the peer resends its FIN and this end must still be there to answer it (the wait restarts); and old duplicates die out before these addresses and ports are reused. MSL: 2 min in RFC 9293; Linux waits 60 s (--msl, 30 s by default)",
        "等待 2*MSL：若最后的 ACK 丢失，对方会重传 FIN，本方必须仍在才能再次确认（重新计时）；同时让旧的重复报文在这对地址和端口被重用前消失。RFC 9293 中 MSL 为 2 分钟；Linux 等待 60 秒（--msl，默认 30 秒）",
    ),
    (
        "no socket is listening: connect() fails with ECONNREFUSED",
        "没有套接字在监听：connect() 以 ECONNREFUSED 失败",
    ),
    (
        " Its ACK also acknowledges {peer}'s FIN, so one segment does the work of two: this close takes three segments instead of four.",
        "它的 ACK 同时确认了{peer}的 FIN，一个报文做了两个报文的事：这次关闭只用了三个报文，而不是四个。",
    ),
    (
        "The client",
        "客户端",
    ),
    (
        "The server",
        "服务器",
    ),
    (
        "the client",
        "客户端",
    ),
    (
        "the server",
        "服务器",
    ),
    (
        "{who} sends {flags}: {meaning}",
        "{who}发送 {flags}：{meaning}",
    ),
    (
        " and enters {state}{note}",
        "，进入 {state} 状态{note}",
    ),
    (
        "; it stays in {state}",
        "，保持 {state} 状态",
    ),
    (
        " {who}, on receiving it, enters {state}{note}",
        "{who}收到后进入 {state} 状态{note}",
    ),
    (
        ".",
        "。",
    ),
    (
        " ({meaning})",
        "（{meaning}）",
    ),
    (
        " It is a retransmission: the earlier copy got no answer.",
        "这是重传：之前的报文没有得到回应。",
    ),
    (
        " Note: {marks}.",
        "注意：{marks}。",
    ),
    (
        "2*MSL has passed since {who} entered TIME_WAIT: it is now CLOSED (inferred, no packet shows it).",
        "{who}进入 TIME_WAIT 已过 2*MSL：现在变为 CLOSED（推断，没有报文显示）。",
    ),
    (
        "Not captured, inferred from the segment after it: ",
        "未被捕获，由其后的报文推断：",
    ),
    (
        "Before the first segment: the client is {c} and the server is {s}.",
        "第一个报文之前：客户端处于 {c} 状态，服务器处于 {s} 状态。",
    ),
    (
        "{n} data and ACK segments with no state change, folded: Enter shows them.",
        "{n} 个数据和 ACK 报文，状态没有变化，已折叠：按 Enter 展开。",
    ),
    (
        "{n} data and ACK segments ({bytes} bytes) here were not kept: a connection keeps at most --max-events events; its handshake, teardown and every state change always are.",
        "此处有 {n} 个数据和 ACK 报文（{bytes} 字节）未保留：每个连接最多保留 --max-events 个事件；握手、挥手和每次状态变化总会保留。",
    ),
    (
        "1 data or ACK segment ({bytes} bytes) here was not kept: a connection keeps at most --max-events events; its handshake, teardown and every state change always are.",
        "此处有 1 个数据或 ACK 报文（{bytes} 字节）未保留：每个连接最多保留 --max-events 个事件；握手、挥手和每次状态变化总会保留。",
    ),
    (
        "No connection selected yet.",
        "尚未选择连接。",
    ),
    (
        " {https}A TLS handshake now starts on top of the TCP connection ({label}): what follows is encrypted, TCP only carries it.",
        "{https}TLS 握手现在在这条 TCP 连接之上开始（{label}）：之后的数据是加密的，TCP 只负责运送。",
    ),
    (
        " {https}The server answers the TLS handshake ({label}).",
        "{https}服务器回应 TLS 握手（{label}）。",
    ),
    (
        "HTTPS: ",
        "HTTPS：",
    ),
    (
        " HTTP: {label}: the client asks to turn this HTTP connection into a WebSocket.",
        "HTTP：{label}：客户端请求把这条 HTTP 连接升级为 WebSocket。",
    ),
    (
        " WebSocket: {label}: from here the same TCP connection carries WebSocket frames both ways.",
        "WebSocket：{label}：此后同一条 TCP 连接双向承载 WebSocket 帧。",
    ),
    (
        " HTTP: {label}: an application-layer message, carried in TCP's byte stream.",
        "HTTP：{label}：应用层的报文，由 TCP 的字节流承载。",
    ),
    (
        " SSH: each end first sends its version line ({label}); the key exchange and then encrypted data follow.",
        "SSH：双方先各自发送版本行（{label}），接着是密钥交换，之后的数据都是加密的。",
    ),
    (
        " DNS over TCP: {label} (DNS uses TCP for large answers and zone transfers; most queries go over UDP).",
        "基于 TCP 的 DNS：{label}（大的应答和区域传送用 TCP；大多数查询走 UDP）。",
    ),
    (
        " {service}: {label}: a line of the application protocol on top of TCP.",
        "{service}：{label}：TCP 之上的应用层协议的一行。",
    ),
    (
        " The data begins: {label}.",
        "数据开头是：{label}。",
    ),
    // The lessons (`teach/notes.rs`).
    (
        "the three-way handshake: SYN, SYN+ACK, ACK, and why it takes three",
        "三次握手：SYN、SYN+ACK、ACK，以及为什么需要三次",
    ),
    (
        "Lesson: the three-way handshake. The server has called socket(), bind() and listen(): its socket waits in LISTEN. The client calls connect(). Press → to send each segment.",
        "课程：三次握手。服务器已调用 socket()、bind() 和 listen()，套接字处于 LISTEN 状态；客户端调用 connect()。按 → 逐个发送报文段。",
    ),
    (
        "connect() makes the client's TCP send a SYN and enter SYN_SENT: it has asked and waits for an answer. The SYN carries the client's initial sequence number (ISN), chosen by a clock-driven, hard-to-guess generator (RFC 9293 3.4.1) so that segments left over from an earlier connection on the same ports are not taken for this one's. A SYN carries no data but uses up one sequence number.",
        "connect() 让客户端 TCP 发出 SYN 并进入 SYN_SENT：已发出请求，等待回应。SYN 携带客户端的初始序列号 ISN，由时钟驱动、难以猜测的生成器选出（RFC 9293 3.4.1），这样同一端口上旧连接残留的报文段不会被当成本连接的。SYN 不携带数据，但占用一个序列号。",
    ),
    (
        "The listening server answers with a SYN of its own (its own ISN) and ack = the client's ISN + 1: \"your SYN arrived, the next byte I expect is 1\". It enters SYN_RECEIVED: the connection is half open and waits in the kernel's SYN queue. accept() has not returned yet: until its own ISN is acknowledged, the server cannot be sure the SYN came from a live client.",
        "处于监听的服务器回复自己的 SYN（携带服务器的 ISN），以及 ack = 客户端 ISN + 1，意思是“你的 SYN 已收到，我期望的下一个字节是 1”。服务器进入 SYN_RECEIVED：连接半打开，放在内核的 SYN 队列中。accept() 还没有返回：在自己的 ISN 被确认之前，服务器无法确定这个 SYN 来自一个真实存在的客户端。",
    ),
    (
        "Why a third segment: each side chose an ISN, and each must be acknowledged by the other. The SYN+ACK acknowledged the client's; this ACK acknowledges the server's. Without it the server could not tell a live client from an old duplicate SYN still wandering in the network, and the client could not refuse a connection it never asked for (RFC 9293 3.5). Both ends are ESTABLISHED; the connection moves to the accept queue and accept() returns.",
        "为什么要第三个报文段：双方各自选了 ISN，每个 ISN 都必须由对方确认。SYN+ACK 确认了客户端的 ISN，这个 ACK 确认服务器的 ISN。没有它，服务器分不清真实的客户端和网络中滞留的旧的重复 SYN，客户端也无法拒绝一个它从未请求过的连接（RFC 9293 3.5）。现在双方都是 ESTABLISHED，连接进入全连接（accept）队列，accept() 返回。",
    ),
    (
        "Data flows. seq counts bytes from the ISN: relative seq 1 is the first byte of data, because the SYN used 0. The request's 80 bytes are bytes 1 to 80; the server will acknowledge them with ack=81.",
        "开始传输数据。seq 从 ISN 起按字节计数：相对序列号 1 是第一个数据字节，因为 SYN 占用了 0。请求的 80 字节是第 1 到 80 字节，服务器将用 ack=81 确认。",
    ),
    (
        "The answer carries ack=81: a cumulative acknowledgment, \"every byte before 81 arrived\". An ACK can ride on data going the other way (piggybacking), so no separate ACK segment was needed.",
        "响应携带 ack=81：累计确认，意思是“81 之前的字节全部收到”。ACK 可以搭载在反方向的数据上（捎带确认），因此不需要单独的 ACK 报文段。",
    ),
    (
        "the four-way close, the client closing first: why four segments",
        "四次挥手（客户端先关闭）：为什么需要四次",
    ),
    (
        "Lesson: the four-way close, the client closing first. The connection opens and a request is answered; the close starts at the first FIN. Each direction of a TCP connection is closed on its own (RFC 9293 3.6).",
        "课程：四次挥手，客户端先关闭。连接建立，完成一次请求和响应；关闭从第一个 FIN 开始。TCP 连接的两个方向各自独立关闭（RFC 9293 3.6）。",
    ),
    (
        "The client's application calls close(): its TCP sends a FIN and enters FIN_WAIT_1. A FIN says only \"I will send no more data\"; the client can still receive. Like a SYN, a FIN uses one sequence number, so it must be acknowledged.",
        "客户端应用调用 close()：TCP 发送 FIN，进入 FIN_WAIT_1。FIN 只表示“我不再发送数据”，客户端仍然可以接收。和 SYN 一样，FIN 占用一个序列号，因此必须被确认。",
    ),
    (
        "The server's TCP acknowledges the FIN at once (ack = FIN + 1) and enters CLOSE_WAIT; its application reads end-of-file (read() returns 0). The client, its FIN acknowledged, enters FIN_WAIT_2 and waits for the server's FIN. Why four segments and not three: this ACK comes from the kernel straight away, the server's FIN only when its application calls close(). CLOSE_WAIT is the time the application still has to send.",
        "服务器 TCP 立即确认这个 FIN（ack = FIN + 1），进入 CLOSE_WAIT；其应用读到文件结束（read() 返回 0）。客户端的 FIN 被确认后进入 FIN_WAIT_2，等待服务器的 FIN。为什么是四次而不是三次：这个 ACK 由内核立即发出，而服务器的 FIN 要等应用调用 close() 才发。CLOSE_WAIT 就是应用还可以继续发送数据的时间。",
    ),
    (
        "The server's application calls close(): a FIN, and the server enters LAST_ACK, waiting for the acknowledgment of its FIN. The client receives it in FIN_WAIT_2 and enters TIME_WAIT.",
        "服务器应用调用 close()：发出 FIN，服务器进入 LAST_ACK，等待对自己 FIN 的确认。客户端在 FIN_WAIT_2 收到它，进入 TIME_WAIT。",
    ),
    (
        "The last ACK: the server enters CLOSED and forgets the connection. The client stays in TIME_WAIT for 2*MSL (MSL, the maximum segment lifetime, is taken as 2 minutes by RFC 9293; Linux holds TIME_WAIT for a fixed 60 s). Two reasons: if this ACK is lost, the server sends its FIN again and the client must still be there to acknowledge it (the lesson time-wait shows it); and old duplicates of this connection must die out before the same ports carry a new one.",
        "最后一个 ACK：服务器进入 CLOSED，删除连接。客户端在 TIME_WAIT 停留 2*MSL（MSL 为报文段最大生存时间，RFC 9293 取 2 分钟；Linux 的 TIME_WAIT 固定为 60 秒）。两个原因：如果这个 ACK 丢失，服务器会重发 FIN，客户端必须还在，才能再次确认（见课程 time-wait）；并且本连接的旧报文段必须在网络中消失，同一对端口才能承载新连接。",
    ),
    (
        "the server closes first, in three segments: the FIN+ACK acknowledges ours",
        "服务器先关闭，只用三个报文段：对方的 FIN+ACK 同时确认了我们的 FIN",
    ),
    (
        "Lesson: the server closes first, and the close takes three segments. Whoever closes first ends in TIME_WAIT: here, the server.",
        "课程：服务器先关闭，关闭只用三个报文段。谁先关闭，谁最后处于 TIME_WAIT：这里是服务器。",
    ),
    (
        "The server has sent its answer and closes: a FIN, FIN_WAIT_1. The client reads end-of-file (read() returns 0) and enters CLOSE_WAIT.",
        "服务器发完响应后关闭：发出 FIN，进入 FIN_WAIT_1。客户端读到文件结束（read() 返回 0），进入 CLOSE_WAIT。",
    ),
    (
        "The client had nothing more to send, so its application closed at once, before its TCP had sent the ACK of the server's FIN: one segment carries both, its FIN and ack = the server's FIN + 1. That is why this close took three segments instead of four. The server receives the acknowledgment of its FIN and the client's FIN together and goes from FIN_WAIT_1 straight to TIME_WAIT (RFC 9293 3.10.7.4); the client enters LAST_ACK.",
        "客户端没有要发送的数据了，应用立即关闭，此时 TCP 还没有发出对服务器 FIN 的确认：于是一个报文段同时携带了它的 FIN 和 ack = 服务器 FIN + 1。这就是这次关闭只用三个报文段而不是四个的原因。服务器同时收到对自己 FIN 的确认和客户端的 FIN，从 FIN_WAIT_1 直接进入 TIME_WAIT（RFC 9293 3.10.7.4）；客户端进入 LAST_ACK。",
    ),
    (
        "The server acknowledges the client's FIN; the client goes from LAST_ACK to CLOSED. The server, which closed first, holds TIME_WAIT for 2*MSL: a busy server that closes first collects TIME_WAIT entries, one for each client port.",
        "服务器确认客户端的 FIN，客户端从 LAST_ACK 进入 CLOSED。先关闭的服务器要在 TIME_WAIT 停留 2*MSL：一个繁忙且主动关闭的服务器会积累大量 TIME_WAIT，每个客户端端口一个。",
    ),
    (
        "why TIME_WAIT waits 2*MSL: the last ACK is lost and the peer's FIN comes again",
        "TIME_WAIT 为什么等待 2*MSL：最后的 ACK 丢失，对方重发 FIN",
    ),
    (
        "Lesson: why TIME_WAIT waits. The capture is taken at the client. The client closes first as usual, but its last ACK is lost on its way to the server.",
        "课程：TIME_WAIT 为什么要等待。抓包点在客户端。客户端照常先关闭，但它的最后一个 ACK 在去往服务器的途中丢失了。",
    ),
    (
        "The server closes: a FIN, LAST_ACK. The client, in FIN_WAIT_2, receives it and enters TIME_WAIT.",
        "服务器关闭：发出 FIN，进入 LAST_ACK。处于 FIN_WAIT_2 的客户端收到它，进入 TIME_WAIT。",
    ),
    (
        "The client acknowledges the server's FIN. The capture saw it leave, but it never reaches the server. Stepping, synack shows the server CLOSED at this row, as if it had arrived: nothing yet says otherwise. The server's FIN coming again (next step) does, and the server then stays in LAST_ACK at this row, as it really was. The client does not know either; it is in TIME_WAIT and keeps the connection.",
        "客户端确认服务器的 FIN。抓包看到它已发出，但它没有到达服务器。逐步播放时，synack 在这一行先显示服务器为 CLOSED，好像 ACK 已经到达：此时还没有任何迹象表明它丢失了。下一步服务器再次发出 FIN，说明了这一点，这一行随即改为服务器仍处于 LAST_ACK，也就是它当时真正的状态。客户端也不知道；它处于 TIME_WAIT，保留着这个连接。",
    ),
    (
        "No ACK came, so the server's retransmission timer fires and it sends its FIN again (about 200 ms later on Linux). This is the first reason for TIME_WAIT: had the client gone straight to CLOSED, this FIN would find no connection and be answered with a RST, and the server would report an error for a connection that had closed cleanly.",
        "服务器没有收到 ACK，重传定时器超时后再次发送 FIN（Linux 上约 200 毫秒后）。这正是 TIME_WAIT 的第一个原因：如果客户端直接进入 CLOSED，这个 FIN 会找不到连接，只能得到 RST 回应，服务器就会把一个正常关闭的连接当作出错。",
    ),
    (
        "The client, still in TIME_WAIT, acknowledges the FIN again and starts its 2*MSL over (RFC 9293 3.10.7.4). This ACK arrives: the server enters CLOSED. The second reason for the wait: old duplicates of this connection still in the network die out before the same four-tuple can carry a new connection. RFC 9293 takes MSL as 2 minutes; Linux holds TIME_WAIT for a fixed 60 s.",
        "仍在 TIME_WAIT 的客户端再次确认这个 FIN，并重新开始 2*MSL 计时（RFC 9293 3.10.7.4）。这次 ACK 到达了，服务器进入 CLOSED。等待的第二个原因：本连接滞留在网络中的旧报文段要先消失，同一个四元组才能承载新的连接。RFC 9293 取 MSL 为 2 分钟；Linux 的 TIME_WAIT 固定为 60 秒。",
    ),
    (
        "a refused connection: no socket listens, the SYN is answered by RST",
        "连接被拒绝：没有套接字在监听，SYN 得到 RST",
    ),
    (
        "Lesson: a refused connection. The client connects to port 81 of a host where no program has called listen() on that port.",
        "课程：连接被拒绝。客户端连接一台主机的 81 端口，而该端口上没有任何程序调用过 listen()。",
    ),
    (
        "connect() sends a SYN as always: the client cannot know beforehand whether anything listens.",
        "connect() 照常发送 SYN：客户端无法事先知道对方是否在监听。",
    ),
    (
        "No socket listens on port 81, so the host's TCP answers the SYN with RST+ACK: a segment for a connection that does not exist is answered with a reset (RFC 9293 3.10.7.1). Its ACK acknowledges the SYN, which is how the client knows the reset answers it and is not forged (3.10.7.3). connect() fails with ECONNREFUSED, \"Connection refused\". The server side never had a connection: it was CLOSED throughout, never LISTEN.",
        "81 端口上没有套接字在监听，主机的 TCP 用 RST+ACK 回应这个 SYN：发往不存在连接的报文段会得到复位（RFC 9293 3.10.7.1）。其中的 ACK 确认了这个 SYN，客户端据此知道这个 RST 是对它的回应，而不是伪造的（3.10.7.3）。connect() 失败，返回 ECONNREFUSED（“Connection refused”）。服务器一侧从来没有过连接：它一直是 CLOSED，从未处于 LISTEN。",
    ),
    (
        "a SYN nobody answers: retries with exponential backoff, then ETIMEDOUT",
        "无人应答的 SYN：指数退避重传，最后 ETIMEDOUT",
    ),
    (
        "Lesson: a SYN nobody answers. The server's address does not answer at all (the host is down, or a firewall drops the SYN silently): no SYN+ACK, and no RST either.",
        "课程：无人应答的 SYN。服务器地址完全没有回应（主机宕机，或防火墙悄悄丢弃了 SYN）：没有 SYN+ACK，也没有 RST。",
    ),
    (
        "connect() sends a SYN and starts the retransmission timer, at 1 s for a first segment (RFC 6298).",
        "connect() 发送 SYN 并启动重传定时器，第一个报文段的超时为 1 秒（RFC 6298）。",
    ),
    (
        "No answer within 1 s: the same SYN again, with the same ISN. Each retry doubles the timeout (exponential backoff), so that a congested or dead path is not flooded.",
        "1 秒内没有回应：再次发送同样的 SYN，ISN 不变。每次重试都把超时时间加倍（指数退避），以免向拥塞或不通的路径大量发送。",
    ),
    (
        "The gaps so far are 1, 2 and 4 s: the timeout doubles each time. The client stays in SYN_SENT throughout.",
        "到目前为止的间隔是 1、2、4 秒：超时时间每次加倍。客户端一直处于 SYN_SENT。",
    ),
    (
        "The sixth retry (Linux's net.ipv4.tcp_syn_retries is 6), 32 s after the fifth. If it is not answered within 64 s, connect() gives up with ETIMEDOUT, about 127 s after the first SYN. A refused connection fails at once, a silent one only after minutes: that is how a closed port is told from a filtered one.",
        "第六次重试（Linux 的 net.ipv4.tcp_syn_retries 为 6），距第五次 32 秒。如果 64 秒内仍无回应，connect() 放弃并返回 ETIMEDOUT，距第一个 SYN 约 127 秒。被拒绝的连接立即失败，无人应答的连接要几分钟后才失败：由此可以区分端口关闭和被过滤。",
    ),
    (
        "simultaneous open: both ends connect() at once, no listener, four segments",
        "同时打开：双方同时 connect()，没有监听方，共四个报文段",
    ),
    (
        "Lesson: simultaneous open. Neither end listens: both call connect() to each other at the same moment (peer-to-peer programs do this to get through NAT). RFC 9293 allows it (3.5, figure 8).",
        "课程：同时打开。双方都不监听，而是在同一时刻互相调用 connect()（点对点程序穿越 NAT 时会这样做）。RFC 9293 允许这种情况（3.5，图 8）。",
    ),
    (
        "The left end's connect(): a SYN, SYN_SENT.",
        "左边一端调用 connect()：发出 SYN，进入 SYN_SENT。",
    ),
    (
        "Before that SYN arrives, the right end sends its own: it is in SYN_SENT too. Each SYN then reaches an end in SYN_SENT, which enters SYN_RECEIVED (RFC 9293 3.10.7.3), not ESTABLISHED: its own SYN is not acknowledged yet.",
        "在那个 SYN 到达之前，右边一端也发出了自己的 SYN：它同样处于 SYN_SENT。随后每个 SYN 都到达一个处于 SYN_SENT 的端，该端进入 SYN_RECEIVED（RFC 9293 3.10.7.3），而不是 ESTABLISHED：它自己的 SYN 还没有被确认。",
    ),
    (
        "Each end answers the SYN it received with a SYN+ACK: its own SYN again, and the acknowledgment of the peer's ISN.",
        "每一端都用 SYN+ACK 回应收到的 SYN：再次带上自己的 SYN，并确认对方的 ISN。",
    ),
    (
        "Both ISNs are now acknowledged: both ends are ESTABLISHED after four segments, with no listener and no accept(). The rule is the same as in the three-way handshake: every ISN must be acknowledged by the other side.",
        "现在两个 ISN 都已被确认：四个报文段之后双方都进入 ESTABLISHED，没有监听方，也没有 accept()。规则与三次握手相同：每个 ISN 都必须由对方确认。",
    ),
    (
        "simultaneous close: the FINs cross, both ends pass through CLOSING",
        "同时关闭：两个 FIN 交叉，双方都经过 CLOSING",
    ),
    (
        "Lesson: simultaneous close. Both applications call close() at the same moment: the two FINs cross on the wire (RFC 9293 3.6, figure 13).",
        "课程：同时关闭。双方应用在同一时刻调用 close()：两个 FIN 在线路上交叉（RFC 9293 3.6，图 13）。",
    ),
    (
        "The client's close(): a FIN, FIN_WAIT_1.",
        "客户端调用 close()：发出 FIN，进入 FIN_WAIT_1。",
    ),
    (
        "The server's FIN left before the client's arrived: it does not acknowledge it (its ack is the old value). So the server was in FIN_WAIT_1 too, and each end then receives a FIN while its own is unacknowledged: both enter CLOSING (RFC 9293 3.10.7.4), not CLOSE_WAIT.",
        "服务器的 FIN 在客户端的 FIN 到达之前就已发出：它没有确认客户端的 FIN（ack 仍是旧值）。所以服务器也处于 FIN_WAIT_1，随后每一端都在自己的 FIN 尚未被确认时收到对方的 FIN：双方都进入 CLOSING（RFC 9293 3.10.7.4），而不是 CLOSE_WAIT。",
    ),
    (
        "Each end acknowledges the other's FIN. An end in CLOSING whose FIN is acknowledged enters TIME_WAIT: both ends closed first, so both hold TIME_WAIT.",
        "双方各自确认对方的 FIN。处于 CLOSING 的一端在自己的 FIN 被确认后进入 TIME_WAIT：双方都是先关闭的一方，所以双方都要停留在 TIME_WAIT。",
    ),
    (
        "half-close: shutdown(SHUT_WR), and data still flowing after the first FIN",
        "半关闭：shutdown(SHUT_WR)，第一个 FIN 之后数据仍在流动",
    ),
    (
        "Lesson: half-close. The client sends its request, then calls shutdown(SHUT_WR): it will send nothing more but still reads the answer. Programs use it to say \"end of request\" (nc -N does).",
        "课程：半关闭。客户端发送请求后调用 shutdown(SHUT_WR)：它不再发送，但仍然读取响应。程序用它表示“请求结束”（例如 nc -N）。",
    ),
    (
        "shutdown(SHUT_WR): the client's FIN right after its request. FIN_WAIT_1, then FIN_WAIT_2 once it is acknowledged; the socket stays open for reading.",
        "shutdown(SHUT_WR)：请求之后紧跟着客户端的 FIN。进入 FIN_WAIT_1，被确认后进入 FIN_WAIT_2；套接字仍然可以读取。",
    ),
    (
        "The server acknowledges the FIN: its application reads end-of-file and it is in CLOSE_WAIT. CLOSE_WAIT does not mean \"closing\": the server may still send as much as it likes.",
        "服务器确认这个 FIN：其应用读到文件结束，处于 CLOSE_WAIT。CLOSE_WAIT 并不表示“正在关闭”：服务器仍然可以发送任意多的数据。",
    ),
    (
        "Data after the first FIN: the half-close at work. The server answers from CLOSE_WAIT, and the client, in FIN_WAIT_2, receives and acknowledges it (RFC 9293 3.6). This is why each direction is closed on its own.",
        "第一个 FIN 之后的数据：这就是半关闭。服务器在 CLOSE_WAIT 中发送响应，处于 FIN_WAIT_2 的客户端接收并确认（RFC 9293 3.6）。这就是每个方向要各自关闭的原因。",
    ),
    (
        "The server has sent everything and closes: a FIN, LAST_ACK. The client reads end-of-file and enters TIME_WAIT.",
        "服务器发完所有数据后关闭：发出 FIN，进入 LAST_ACK。客户端读到文件结束，进入 TIME_WAIT。",
    ),
    (
        "The last ACK: the server is CLOSED, the client holds TIME_WAIT for 2*MSL.",
        "最后一个 ACK：服务器进入 CLOSED，客户端在 TIME_WAIT 停留 2*MSL。",
    ),
    (
        "a reset: an established connection aborted by RST, no TIME_WAIT",
        "复位：已建立的连接被 RST 中止，没有 TIME_WAIT",
    ),
    (
        "Lesson: a reset. A connection can also end abruptly, without the FIN exchange: one end sends a RST.",
        "课程：复位。连接也可以不经过 FIN 交换而突然结束：一端发送 RST。",
    ),
    (
        "The server aborts the connection (its process crashed, closed with unread data, or set SO_LINGER to 0; or a firewall on the path injected it): a RST. A RST is never acknowledged or retransmitted (RFC 9293 3.5.2). Both ends go straight to CLOSED and neither waits in TIME_WAIT; the client's next read() or write() fails with ECONNRESET, \"Connection reset by peer\". Data not yet delivered is lost.",
        "服务器中止了连接（进程崩溃、关闭时还有未读数据、或设置了 SO_LINGER 为 0；也可能是路径上的防火墙注入的）：发出 RST。RST 从不被确认，也不会重传（RFC 9293 3.5.2）。双方直接进入 CLOSED，都不经过 TIME_WAIT；客户端下一次 read() 或 write() 失败，返回 ECONNRESET（“Connection reset by peer”）。尚未交付的数据全部丢失。",
    ),
    // The layers view's notes beside the fields (`ui/layers.rs`; field names stay English,
    // as Wireshark's and the RFCs' are).
    ("{n} (relative {rel})", "{n}（相对 {rel}）"),
    ("{n} bytes (data offset {off})", "{n} 字节（数据偏移 {off}）"),
    ("(none)", "（无）"),
    ("{w} (scaled ×{f} = {v})", "{w}（缩放 ×{f} = {v}）"),
    ("{w} (a SYN's window is never scaled)", "{w}（SYN 的窗口从不缩放）"),
    ("{w} (scale not known)", "{w}（缩放因子未知）"),
    ("none", "无"),
    ("EOL (end of options)", "EOL（选项结束）"),
    (
        "kind {kind} ({name}) at option byte {at}: bad length, the rest not read",
        "kind {kind}（{name}），位于选项第 {at} 字节：长度错误，其余未读取",
    ),
    ("{n} bytes (options {o})", "{n} 字节（选项 {o}）"),
    (
        "{sport} → {dport}, length {len} (a tunnel's carrier)",
        "{sport} → {dport}，长度 {len}（隧道的载体）",
    ),
    ("{n} bytes", "{n} 字节"),
    ("{n} bytes (cut by the snaplen)", "{n} 字节（被 snaplen 截断）"),
    ("{sum} (not verified)", "{sum}（未校验）"),
];
