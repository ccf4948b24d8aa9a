# scale_into (array(float64, 1d, C), array(float64, 1d, C), float, int)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 16 }
  subq $0x10, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
block0:
  movq (%rdi), %r8
  movq 8(%rdi), %rsi
  movq 0x10(%rdi), %r10
  movq 0x18(%rdi), %rax
  movq 0x20(%rdi), %r9
  movq 0x28(%rdi), %r9
  movq 0x30(%rdi), %r11
  movq 0x38(%rdi), %r9
  vmovsd 0x40(%rdi), %xmm0
  movq 0x48(%rdi), %r9
  jmp     label1
block1:
  movl 8(%rdx), %ebx
  cmpl %ebx, %ecx
  jnbe    label25; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq %r9, %rbx
  addq $0x0, %rbx
  seto %cl
  cmpq %r11, %rbx
  setg %r11b
  orl %ecx, %r11d
  testb %r11b, %r11b
  jnz     label5; j label6
block6:
  addq $0x0, %r9
  seto %cl
  cmpq %r10, %r9
  setg %r9b
  orl %ecx, %r9d
  testb %r9b, %r9b
  jnz     label7; j label8
block8:
  movq (%rdi), %rcx
  movq 0x10(%rdi), %rax
  leaq (%rcx, %rax, 8), %rax
  movq 0x20(%rdi), %rsi
  cmpq %rsi, %rax
  setbe %r10b
  movq 0x30(%rdi), %rax
  leaq (%rsi, %rax, 8), %rax
  cmpq %rcx, %rax
  setbe %al
  orl %eax, %r10d
  uninit  %rax
  xorq %rax, %rax
  movq 0x48(%rdi), %r8
  leaq -4(%r8), %r11
  movabsq $<address>, %r9
  cmpq (%rip), %r8
  cmovgeq %r11, %r9
  vmovsd 0x40(%rdi), %xmm0
  vpshufd $0x44, %xmm0, %xmm1
  testb %r10b, %r10b
  jnz     label9; j label10
block9:
  jmp     label11
block10:
  jmp     label16
block11:
  cmpq %r9, %rax
  jnle    label13; j label12
block12:
  vmulpd (%rsi, %rax, 8), %xmm1, %xmm2
  vmovupd %xmm2, (%rcx, %rax, 8)
  leaq 2(%rax), %r10
  vmulpd (%rsi, %r10, 8), %xmm1, %xmm2
  vmovupd %xmm2, (%rcx, %r10, 8)
  leaq 4(%rax), %rax
  jmp     label11
block13:
  cmpq %r8, %rax
  setl %r9b
  cmpq (%rip), %r8
  setge %r10b
  andl %r10d, %r9d
  leaq -2(%r8), %r10
  notq %r10
  shrq $0x3f, %r10
  testb %r9b, %r10b
  jnz     label15; j label14
block14:
  jmp     label16
block15:
  leaq -2(%r8), %r9
  subq %rax, %r9
  uninit  %r10
  xorq %r10, %r10
  cmpq %r9, %r10
  movq %r9, %r11
  cmovlq %r10, %r11
  leaq (%rax, %r11), %r10
  vmulpd (%rsi, %r10, 8), %xmm1, %xmm2
  vmovupd %xmm2, (%rcx, %r10, 8)
  movl $0x2, %r10d
  cmpq %r9, %r10
  cmovlq %r10, %r9
  leaq (%rax, %r9), %r9
  vmulpd (%rsi, %r9, 8), %xmm1, %xmm2
  vmovupd %xmm2, (%rcx, %r9, 8)
  movq %r8, %rax
  jmp     label16
block16:
  jmp     label17
block17:
  cmpq %r8, %rax
  jnl     label22; j label18
block18:
  vmulsd (%rsi, %rax, 8), %xmm0, %xmm7
  vmovsd %xmm7, (%rcx, %rax, 8)
  jmp     label19
block19:
  movabsq $<address>, %r9
  movl (%r9), %r9d
  leaq 1(%rax), %rax
  testl %r9d, %r9d
  jnz     label21; j label20
block20:
  jmp     label17
block22:
  jmp     label23
block23:
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block5:
  jmp     label24
block7:
  jmp     label24
block21:
  movq (%rdi), %rcx
  movq 8(%rdi), %rsi
  movq 0x10(%rdi), %r8
  movq 0x18(%rdi), %r9
  movq %rcx, 0x10(%rdx)
  movq %rsi, 0x18(%rdx)
  movq %r8, 0x20(%rdx)
  movq %r9, 0x28(%rdx)
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %rsi
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %r9
  movq %rcx, 0x30(%rdx)
  movq %rsi, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %r9, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq 0x48(%rdi), %rcx
  movq %rcx, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq %rax, 0x68(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block24:
  movq %r8, 0x10(%rdx)
  movq %rsi, 0x18(%rdx)
  movq %r10, 0x20(%rdx)
  movq %rax, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq %rax, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x1, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block25:
  movq %r8, 0x10(%rdx)
  movq %rsi, 0x18(%rdx)
  movq %r10, 0x20(%rdx)
  movq %rax, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq %rax, 0x58(%rdx)
  movl $0x3, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
